/*
 * files.c: expanding the inputs a reader is given into the files it reads.
 *
 * A directory is listed only when the reader reaches it, and its sorted
 * entries are put where it stood, so files come out depth-first in byte
 * order of their names and the queue only ever holds one listing per level
 * being walked.
 */
#include "input/files.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"

void sd__inputs_init(sd_inputs *q)
{
    memset(q, 0, sizeof *q);
}

void sd__inputs_release(sd_inputs *q)
{
    size_t i;
    for (i = q->pos; i < q->n; i++)
        sd__free(q->v[i].path);
    sd__free(q->v);
    memset(q, 0, sizeof *q);
}

int sd__inputs_add(sd_inputs *q, const char *path)
{
    char *p = sd__strndup(path, strlen(path));
    if (p == NULL || SD_GROW(q->v, q->cap, q->n + 1)) {
        sd__free(p);
        return SD_ENOMEM;
    }
    q->v[q->n].path = p;
    q->v[q->n++].walked = 0;
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether p is a symbolic link to a directory: a walk does not follow
 * those, so a link to a parent cannot make it endless. */
static int is_dir_link(const char *p)
{
    struct stat sb;
    return lstat(p, &sb) == 0 && S_ISLNK(sb.st_mode) && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Puts the sorted, non-hidden entries of directory `dir` at the head of
 * the queue (where the directory itself stood). Returns 0, 1 when the
 * directory cannot be listed, or SD_ENOMEM (queue unchanged). */
static int expand_dir(sd_inputs *q, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i, dl = strlen(dir);
    int rc = 0;
    if (d == NULL)
        return 1;
    while ((e = readdir(d)) != NULL) {
        size_t el = strlen(e->d_name);
        char *p;
        if (e->d_name[0] == '.')
            continue;
        p = sd__malloc(dl + el + 2);
        if (p == NULL || SD_GROW(names, cap, n + 1)) {
            sd__free(p);
            rc = SD_ENOMEM;
            break;
        }
        snprintf(p, dl + el + 2, "%.*s%s%s", (int)dl, dir, dl && dir[dl - 1] != '/' ? "/" : "",
                 e->d_name);
        if (is_dir_link(p)) {
            sd__free(p);
            continue;
        }
        names[n++] = p;
    }
    closedir(d);
    if (rc == 0 && n > 0) {
        qsort(names, n, sizeof *names, cmp_name);
        /* Make room for n entries in front of v[pos..n). */
        if (q->pos >= n) {
            q->pos -= n;
        } else if (SD_GROW(q->v, q->cap, q->n + n) == 0) {
            memmove(q->v + q->pos + n, q->v + q->pos, (q->n - q->pos) * sizeof *q->v);
            q->n += n;
        } else {
            rc = SD_ENOMEM;
        }
        for (i = 0; rc == 0 && i < n; i++) {
            q->v[q->pos + i].path = names[i];
            q->v[q->pos + i].walked = 1;
        }
    }
    if (rc != 0)
        for (i = 0; i < n; i++)
            sd__free(names[i]);
    sd__free(names);
    return rc;
}

int sd__inputs_next(sd_inputs *q, char **path, int *walked)
{
    while (q->pos < q->n) {
        char *p = q->v[q->pos].path;
        struct stat sb;
        int rc;
        *walked = q->v[q->pos].walked;
        q->v[q->pos++].path = NULL;
        if (strcmp(p, "-") == 0 || stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            *path = p;
            return 1;
        }
        rc = expand_dir(q, p);
        if (rc == SD_ENOMEM) {
            q->v[--q->pos].path = p; /* left queued, as it was */
            return SD_ENOMEM;
        }
        if (rc == 1) {
            *path = p;
            return 1;
        }
        sd__free(p);
    }
    return 0;
}
