#!/bin/sh
# A corpus of short records, the shape that made dedup slow (issue 14):
# RECORDS JSONL records of 12 words each (a vocabulary of 50,000 "wN"
# words), a quarter of them a repeat of one of the 50 records before.
# 2,000,000 records make about 215 MB.
#
# usage: sh bench/gen_short.sh [RECORDS] [SEED] > short.jsonl
n=${1:-2000000}
seed=${2:-11}
exec awk -v n="$n" -v seed="$seed" 'BEGIN {
  srand(seed)
  for (i = 0; i < n; i++) {
    if (i % 4 == 3) {
      t = prev[int(rand() * 50)]
    } else {
      t = ""
      for (j = 0; j < 12; j++)
        t = t (j ? " " : "") "w" int(rand() * 50000)
    }
    prev[i % 50] = t
    printf "{\"id\":\"r%d\",\"text\":\"%s\"}\n", i, t
  }
}'
