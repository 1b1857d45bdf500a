/* dedup.c: placeholder replaced in the next commit. */
#include "cli.h"
int cmd_dedup(int argc, char **argv) { (void)argc; (void)argv; cli_error("dedup: not built yet"); return EXIT_RUN; }
