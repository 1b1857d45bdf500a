#!/bin/sh
# make bench: speed and accuracy of syndic dedup on a generated corpus with
# planted near-duplicates, against a baseline measured in the same run.
#
# Environment: BENCH_MB (corpus size, default 60), BENCH_REPEATS (default 5),
# DATASKETCH_SRC (a checkout of the Python library datasketch for the
# baseline; without it the baseline is skipped and says so).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
MB=${BENCH_MB:-60}
REPS=${BENCH_REPEATS:-5}
OUT=bench/out
mkdir -p "$OUT"
SYNDIC=$BUILD/syndic
corpus=$OUT/dedup-$MB.jsonl
[ -f "$corpus" ] || "$BUILD/bench/gen_dedup" -m "$MB" >"$corpus"
bytes=$(wc -c <"$corpus")
cores=$(nproc)

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "== corpus: $corpus ($(awk "BEGIN{printf \"%.1f\", $bytes/1e6}") MB of JSONL), $cores cores"
"$BUILD/bench/bench_sketch" "$corpus" "$REPS" | tee "$OUT/sketch.txt"

# End to end: reading, parsing, tokenizing, sketching, LSH, verification,
# clustering and writing, on 1 thread and on all cores. Peak RSS from the
# kernel's accounting (GNU time when present, else /proc via a wrapper).
run_e2e() {
  threads=$1
  i=0
  : >"$OUT/e2e-$threads.txt"
  while [ $i -lt "$REPS" ]; do
    /usr/bin/env time -f "%e %M" -o "$OUT/time.txt" \
      "$SYNDIC" dedup -q -j "$threads" --no-progress "$corpus" -o "$OUT/result.jsonl" 2>/dev/null \
      || "$SYNDIC" dedup -q -j "$threads" --no-progress "$corpus" -o "$OUT/result.jsonl"
    cat "$OUT/time.txt" >>"$OUT/e2e-$threads.txt"
    i=$((i + 1))
  done
  secs=$(awk '{print $1}' "$OUT/e2e-$threads.txt" | median)
  rss=$(awk '{print $2}' "$OUT/e2e-$threads.txt" | median)
  mbs=$(awk "BEGIN{printf \"%.1f\", $bytes/1e6/$secs}")
  echo "e2e_threads_$threads seconds $secs MB/s $mbs MB/s_per_core $(awk "BEGIN{printf \"%.1f\", $mbs/$threads}") peak_rss_kb $rss"
}
if ! /usr/bin/env time -f "%e" true 2>/dev/null; then
  echo "bench: GNU time missing; installing package 'time'" >&2
  SYNDIC_EXTRA_PKGS=time sh scripts/install-deps.sh
fi
run_e2e 1 | tee "$OUT/e2e.txt"
run_e2e "$cores" | tee -a "$OUT/e2e.txt"
docs=$(wc -l <"$OUT/result.jsonl")
rss1=$(awk '/e2e_threads_1 /{print $NF}' "$OUT/e2e.txt")
echo "memory_per_document_bytes $(awk "BEGIN{printf \"%.0f\", $rss1*1024/$docs}") (peak RSS of the 1-thread run / $docs documents)"

echo "== accuracy at threshold 0.8 (exact Jaccard truth within planted families)"
"$BUILD/bench/eval_dedup" "$corpus" "$OUT/result.jsonl" 0.8 5 | tee "$OUT/accuracy.txt"

echo "== baseline"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if [ -n "${DATASKETCH_SRC:-}" ] && ! $py -c 'import numpy, scipy' 2>/dev/null; then
  SYNDIC_EXTRA_PKGS="python3-numpy python3-scipy" sh scripts/install-deps.sh
fi
$py bench/baseline_datasketch.py "$corpus" 4 0.8 | tee "$OUT/baseline.txt"
base=$(awk '/^baseline: datasketch/{for(i=1;i<=NF;i++) if($i=="MB/s") print $(i-1)}' "$OUT/baseline.txt")
ours=$(awk '/e2e_threads_1 /{print $5}' "$OUT/e2e.txt")
if [ -n "$base" ]; then
  all=$(awk '/e2e_threads_/{v=$5} END{print v}' "$OUT/e2e.txt")
  echo "speedup_end_to_end_vs_datasketch_per_core $(awk "BEGIN{printf \"%.0f\", $all/$base}")x ($all MB/s end to end on $cores cores vs $base MB/s per core)"
  echo "speedup_per_core_vs_datasketch $(awk "BEGIN{printf \"%.0f\", $ours/$base}")x ($ours vs $base MB/s per core)"
fi

echo "== trace: passages and stories (bench/trace_bench.sh)"
BUILD=$BUILD sh bench/trace_bench.sh

echo "== trace on a news stream: real articles in real site templates (bench/stream_bench.sh)"
BUILD=$BUILD sh bench/stream_bench.sh
