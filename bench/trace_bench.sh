#!/bin/sh
# trace_bench.sh: accuracy and speed of syndic trace.
#
#   1. a syndication corpus from the real article texts of
#      ../shared/data/l3s-gn1 (generated text when absent): story clustering
#      (pairwise precision/recall, ARI) and passages (PAN precision, recall,
#      granularity, plagdet);
#   2. the same on a corpus of generated text of TRACE_MB (default 105) MB,
#      with throughput on 1 thread and on all cores, and peak RSS;
#   3. ../shared/data/clough-stevenson: reuse share by category.
#
# Environment: BUILD (default build), TRACE_MB, TRACE_STORIES (default 400).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
MB=${TRACE_MB:-105}
STORIES=${TRACE_STORIES:-400}
OUT=bench/out/trace
RUN=$BUILD/bench/trace_run
mkdir -p "$OUT"
[ -x "$RUN" ] || make BUILD="$BUILD" "$RUN" >/dev/null

echo "== 1. syndication corpus from real article texts ($STORIES stories)"
if [ -f ../shared/data/l3s-gn1/ground-truth.json ]; then
  python3 bench/gen_trace.py -o "$OUT/real" --stories "$STORIES" --seed 1
else
  echo "skipped: ../shared/data/l3s-gn1 absent (generated text instead)"
  python3 bench/gen_trace.py -o "$OUT/real" --stories "$STORIES" --seed 1 --generated
fi
"$RUN" "$OUT/real/corpus.jsonl" 1 >"$OUT/real/out.jsonl"
python3 bench/eval_trace.py "$OUT/real/truth.json" "$OUT/real/out.jsonl"

echo "== 2. generated corpus of $MB MB"
[ -f "$OUT/big/corpus.jsonl" ] ||
  python3 bench/gen_trace.py -o "$OUT/big" --generated --stories 0 --mb "$MB" --seed 3
for j in 1 "$(nproc)"; do
  /usr/bin/env time -f "peak_rss_kb %M wall_s %e" -o "$OUT/time.txt" \
    "$RUN" "$OUT/big/corpus.jsonl" "$j" >"$OUT/big/out.jsonl"
  cat "$OUT/time.txt"
done
"$RUN" "$OUT/big/corpus.jsonl" 1 0 1 >/dev/null
python3 bench/eval_trace.py "$OUT/big/truth.json" "$OUT/big/out.jsonl"

echo "== 3. Clough-Stevenson short answers (default, then --all-text)"
python3 bench/clough_trace.py "$RUN"
CLOUGH_ALL_TEXT=1 python3 bench/clough_trace.py "$RUN"
