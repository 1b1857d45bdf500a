#!/bin/sh
# make bench-index: the index's per-page latency of add and query as it
# grows (bench/index_bench.c), on gen_dedup's short documents (news briefs,
# near and exact copies). INDEX_SIZES: the sizes of index measured
# (default 10000 100000). The corpora and indexes are kept in bench/out.
set -e
B=${BUILD:-build}
SIZES=${INDEX_SIZES:-"10000 100000"}
OUT=bench/out/index
mkdir -p "$OUT"
echo "index_bench: per-page latency, 1,000 pages asked about (query) and added one at a time"
echo "(machine: $(nproc) cores, shared with other builds; times are wall-clock)"
echo
echo "| pages   | base add pages/s | last batches µs/page, median / mean | last batches written kB/page | query median ms | query p99 ms | add median ms | add p99 ms | disk B/page | text B/page | base written kB/page | add written kB/page |"
echo "|---------|----------|---------|---------|---------|---------|---------|---------|----------|----------|---------|---------|"
for n in $SIZES; do
  corpus="$OUT/corpus_$n.jsonl"
  [ -s "$corpus" ] || "$B/bench/gen_dedup" -S -d $((n + 1000)) -s 7 > "$corpus"
  rm -rf "$OUT/ix_$n"
  "$B/bench/index_bench" "$corpus" "$OUT/ix_$n" "$n"
done
