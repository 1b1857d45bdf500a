/*
 * files.h: the queue of inputs a reader works through.
 *
 * Paths are taken in the order given. A directory is replaced, when its
 * turn comes, by its entries sorted by the byte order of their names
 * (strcmp), hidden entries (a leading '.') skipped, so a walk is the same
 * on every machine; subdirectories are walked where they sort. "-" stands
 * for standard input. Owned by one reader; not shared between threads.
 */
#ifndef SD_INPUT_FILES_H
#define SD_INPUT_FILES_H

#include <stddef.h>

#include "syndic.h"

typedef struct sd_input {
    char *path;
    int walked; /* found in a directory, not named by the caller */
} sd_input;

typedef struct sd_inputs {
    sd_input *v; /* inputs still to take, v[pos..n) */
    size_t n, cap, pos;
} sd_inputs;

void sd__inputs_init(sd_inputs *q);
void sd__inputs_release(sd_inputs *q);

/* Queues a copy of path at the end. Returns 0 or SD_ENOMEM. */
int sd__inputs_add(sd_inputs *q, const char *path);

/* Takes the next input that is not a directory (expanding directories on
 * the way) into *path, which the caller frees with sd__free; *walked says
 * whether it was found in a directory. A directory that cannot be listed
 * is handed out as it is, so opening it fails and reports why. Returns 1,
 * 0 when the queue is empty, or SD_ENOMEM. */
int sd__inputs_next(sd_inputs *q, char **path, int *walked);

#endif
