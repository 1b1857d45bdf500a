/*
 * replay.c: runs a fuzz target over every file of a corpus directory without
 * libFuzzer, so CI replays the saved corpus under ASan+UBSan with any compiler.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i, runs = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    d = opendir(argv[1]);
    if (d == NULL) {
        fprintf(stderr, "%s: no corpus at %s; ran the empty input only\n", argv[0], argv[1]);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            if (names == NULL)
                return 2;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (i = 0; i < n; i++) {
        char path[4096];
        FILE *f;
        long len;
        uint8_t *buf;
        snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
        f = fopen(path, "rb");
        if (f == NULL)
            continue;
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = malloc(len > 0 ? (size_t)len : 1);
        if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
            LLVMFuzzerTestOneInput(buf, (size_t)len);
            runs++;
        }
        free(buf);
        fclose(f);
        free(names[i]);
    }
    free(names);
    printf("%s: replayed %zu inputs from %s\n", argv[0], runs, argv[1]);
    return 0;
}
