#!/bin/sh
# Start-up cost of syndic: `syndic dedup -q` on an empty input, for one or
# two builds of the program (before and after a change), by four measures:
# shared objects mapped (ldd), instructions in the dynamic loader and in
# all (valgrind --tool=callgrind; independent of the machine's load), CPU
# time (perf stat -r 200 -e task-clock, when perf is there), and the median
# wall time of 101 runs, the programs alternating.
#
# usage: sh bench/startup.sh PROGRAM [PROGRAM2]      (make bench-startup)
set -eu
empty=$(mktemp)
trap 'rm -f "$empty" "$empty.cg" "$empty.tsv"' EXIT
for p in "$@"; do
  echo "== $p"
  echo "shared objects: $(ldd "$p" | grep -c '=>\|ld-linux')"
  if command -v valgrind >/dev/null; then
    valgrind --tool=callgrind --callgrind-out-file="$empty.cg" "$p" dedup -q "$empty" >/dev/null 2>&1
    callgrind_annotate --inclusive=yes "$empty.cg" 2>/dev/null | awk '
      /PROGRAM TOTALS/ {print "instructions, whole run: " $1}
      /rtld.c:_dl_start \[/ {print "instructions, dynamic loader: " $1}
      /sd__lsh_params \[/ {print "instructions, choosing the LSH banding: " $1}'
  fi
  if command -v perf >/dev/null; then
    perf stat -r 200 -e task-clock "$p" dedup -q "$empty" 2>&1 >/dev/null | awk '/task-clock/ {print "CPU time (task-clock, mean of 200): " $1 " ms"}'
  fi
done
: > "$empty.tsv"
i=0
while [ $i -lt 101 ]; do
  for p in "$@"; do
    s=$(date +%s%N)
    "$p" dedup -q "$empty" >/dev/null
    echo "$p $(( ($(date +%s%N) - s) / 1000 ))" >> "$empty.tsv"
  done
  i=$((i + 1))
done
for p in "$@"; do
  grep "^$p " "$empty.tsv" | awk '{print $2}' | sort -n | awk -v p="$p" '{v[NR] = $1} END {printf "%s: median wall time of %d runs: %.1f ms\n", p, NR, v[int((NR + 1) / 2)] / 1000}'
done
