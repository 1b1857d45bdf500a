#!/bin/sh
# stream_bench.sh: syndic trace on a news stream as it really comes
# (bench/gen_stream.py: real articles from ../shared/data inside real site
# templates of l3s-gn1, teaser lists, squeezed pages, pages of two stories).
#
#   1. accuracy: pages sharing a story, pairwise precision and recall
#      (bench/eval_stream.py), on
#        - "sites": 379 pages, stories printed 2 to 5 times, each template
#          on 5 to 15 pages (no big story: templates are the danger);
#        - "stream": one story printed 2,000 times and one 30 times among
#          stories printed 2 to 5 times and 400 single pages;
#      each as text with URLs, as text without (pages saved as text), and
#      as HTML;
#   2. cost: the same stream with the big story printed 500 and 2,000
#      times, every other page the same: wall and CPU time and peak RSS,
#      medians of STREAM_REPEATS runs on one thread.
#
# Environment: BUILD (default build), STREAM_REPEATS (default 3). Skips,
# saying so, when ../shared/data/l3s-gn1 (the templates) is absent.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REPS=${STREAM_REPEATS:-3}
OUT=bench/out/stream
SYNDIC=$BUILD/syndic
if [ ! -d ../shared/data/l3s-gn1/annotated ]; then
  echo "stream bench skipped: ../shared/data/l3s-gn1 absent (its pages are the templates)"
  exit 0
fi
mkdir -p "$OUT"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

gen() { # NAME ARGS...
  name=$1
  shift
  [ -f "$OUT/$name/corpus.jsonl" ] || python3 bench/gen_stream.py -o "$OUT/$name" "$@" 2>/dev/null
}

echo "== 1. accuracy: pages sharing a story (pairwise)"
for fmt in "text" "text --no-url" "html"; do
  tag=$(echo "$fmt" | tr -d ' -' | sed 's/textnourl/text-nourl/')
  gen "sites-$tag" --copies "" --small 80 --unrelated 100 --seed 2 --format $fmt
  gen "stream-$tag" --copies 2000,30 --small 200 --unrelated 400 --seed 1 --format $fmt
  for c in sites stream; do
    d=$OUT/$c-$tag
    "$SYNDIC" trace -q --no-text "$d/corpus.jsonl" >"$d/out.jsonl"
    echo "-- $c, $tag"
    python3 bench/eval_stream.py "$d/truth.json" "$d/out.jsonl"
  done
done

echo "== 2. cost: a story printed 500 and 2,000 times, other pages the same (1 thread, median of $REPS)"
for c in 500 2000; do
  gen "scale-$c" --copies $c,30 --small 200 --unrelated 400 --seed 1
  d=$OUT/scale-$c
  : >"$d/times.txt"
  i=0
  while [ $i -lt "$REPS" ]; do
    /usr/bin/env time -f "%e %U %M" -o "$d/time.txt" "$SYNDIC" trace -q -j 1 --no-text "$d/corpus.jsonl" >"$d/out.jsonl"
    cat "$d/time.txt" >>"$d/times.txt"
    i=$((i + 1))
  done
  wall=$(awk '{print $1}' "$d/times.txt" | median)
  cpu=$(awk '{print $2}' "$d/times.txt" | median)
  rss=$(awk '{print $3}' "$d/times.txt" | median)
  pages=$(python3 -c "import json;print(len(json.load(open('$d/truth.json'))['docs']))")
  mb=$(awk "BEGIN{printf \"%.1f\", $(wc -c <"$d/corpus.jsonl")/1e6}")
  echo "copies $c: $pages pages, $mb MB; wall $wall s, cpu $cpu s, peak RSS $rss KB"
  echo "$c $wall $cpu $rss" >"$d/cost.txt"
  python3 bench/eval_stream.py "$d/truth.json" "$d/out.jsonl" | grep -E "precision|printed $c"
done
awk 'FNR==1 {w[NR]=$2; c[NR]=$3} END {printf "cost of 2,000 copies over 500: wall %.2fx, cpu %.2fx (target at most 3x)\n", w[2]/w[1], c[2]/c[1]}' \
  "$OUT/scale-500/cost.txt" "$OUT/scale-2000/cost.txt"
