#!/bin/sh
# mpi_bench.sh: dedup and trace under mpirun on this machine, 1 and 2
# processes of one thread each, against one process of one thread (the
# baseline, in the same run) and one process of all threads. Wall time
# (median of MPI_REPEATS runs), throughput, peak RSS of the largest
# process (GNU time), bytes exchanged between processes; the outputs are
# compared byte for byte with the baseline's.
#
# Corpora (kept in bench/out): MPI_DOCS generated short documents for dedup
# (default 1000000, about 650 MB), and the 105 MB generated trace corpus of
# bench/trace_bench.sh; each also split into 16 files, for runs that deal
# whole files (--share files) rather than blocks of records. Last, 2
# processes with --memory MPI_MEMORY (default 64M) each.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DOCS=${MPI_DOCS:-1000000}
REPEATS=${MPI_REPEATS:-3}
MEM=${MPI_MEMORY:-64M}
OUT=bench/out
SYN=$BUILD/syndic
mkdir -p "$OUT"
if ! command -v mpirun >/dev/null; then
  echo "skipped: mpirun absent (Debian openmpi-bin; make deps installs it)"
  exit 0
fi
if ! /usr/bin/env time -f "%e" true 2>/dev/null; then
  SYNDIC_EXTRA_PKGS=time sh scripts/install-deps.sh
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
dcorpus=$OUT/short-$DOCS.jsonl
[ -f "$dcorpus" ] || "$BUILD/bench/gen_dedup" -S -d "$DOCS" -W 65536 -s 1 >"$dcorpus"
tcorpus=$OUT/trace/big/corpus.jsonl
[ -f "$tcorpus" ] ||
  python3 bench/gen_trace.py -o "$OUT/trace/big" --generated --stories 0 --mb 105 --seed 3

# run LABEL CMD CORPUS ARGS...: median wall time of REPEATS runs
run() {
  label=$1 cmd=$2 corpus=$3
  shift 3
  rm -f "$OUT/mpi-times.txt"
  i=0
  while [ $i -lt "$REPEATS" ]; do
    /usr/bin/env time -f "%e %M" -a -o "$OUT/mpi-times.txt" "$@" -v --no-progress "$corpus" \
      -o "$OUT/mpi-$cmd-$label.out" 2>"$OUT/mpi-$cmd-$label.log"
    i=$((i + 1))
  done
  sort -n "$OUT/mpi-times.txt" | awk -v n="$REPEATS" -v b="$bytes" -v l="$label" -v docs="$docs" '
    { t[NR] = $1; if ($2 > m) m = $2 }
    END { med = t[int((n + 1) / 2)];
          printf "  %-22s %7.2f s  %6.1f MB/s  peak RSS %6.0f MB (%4.0f B/doc, largest process)\n",
                 l, med, b / 1e6 / med, m / 1024, m * 1024 / docs; print med > "/tmp/mpi-med" }'
  grep 'exchanged' "$OUT/mpi-$cmd-$label.log" | sed 's/^syndic: /    /' || true
  if [ "$label" != baseline ]; then
    if cmp -s "$OUT/mpi-$cmd-baseline.out" "$OUT/mpi-$cmd-$label.out"; then
      echo "    output identical to the baseline"
    else
      echo "    output DIFFERS from the baseline"
      exit 1
    fi
  fi
}

for cmd in dedup trace; do
  if [ $cmd = dedup ]; then corpus=$dcorpus; else corpus=$tcorpus; fi
  bytes=$(wc -c <"$corpus")
  docs=$(wc -l <"$corpus")
  echo "== $cmd: $corpus ($docs documents, $(awk "BEGIN{printf \"%.0f\", $bytes/1e6}") MB), $REPEATS runs each, medians"
  run baseline $cmd "$corpus" "$SYN" $cmd -j 1
  base=$(cat /tmp/mpi-med)
  run "1 process, $(nproc) threads" $cmd "$corpus" "$SYN" $cmd -j "$(nproc)"
  run "mpirun -np 1" $cmd "$corpus" mpirun -np 1 "$SYN" $cmd -j 1
  one=$(cat /tmp/mpi-med)
  run "mpirun -np 2" $cmd "$corpus" mpirun -np 2 "$SYN" $cmd -j 1 --share records
  two=$(cat /tmp/mpi-med)
  echo "  speedup from 1 to 2 processes: $(awk "BEGIN{printf \"%.2f\", $one/$two}")x (against the baseline: $(awk "BEGIN{printf \"%.2f\", $base/$two}")x)"
  # the same records in 16 files, each process opening only its own
  shards=$OUT/$cmd-shards
  if [ ! -d "$shards" ]; then
    mkdir -p "$shards"
    split -n l/16 -d -a 2 --additional-suffix=.jsonl "$corpus" "$shards/part-"
  fi
  run "np 1, 16 files" $cmd "$shards" mpirun -np 1 "$SYN" $cmd -j 1 --share files
  one=$(cat /tmp/mpi-med)
  run "np 2, 16 files" $cmd "$shards" mpirun -np 2 "$SYN" $cmd -j 1 --share files
  two=$(cat /tmp/mpi-med)
  echo "  speedup from 1 to 2 processes, whole files dealt: $(awk "BEGIN{printf \"%.2f\", $one/$two}")x (against the baseline: $(awk "BEGIN{printf \"%.2f\", $base/$two}")x)"
  # bounded memory on each process
  run "np 2, --memory $MEM" $cmd "$corpus" mpirun -np 2 "$SYN" $cmd -j 1 --share records --memory "$MEM"
done
rm -f "$OUT"/mpi-*.out
