#!/bin/sh
# Bounded-memory dedup at scale: a generated corpus of short documents
# (10 million by default) deduplicated with --memory, and, when asked, the
# same corpus in memory for comparison (it needs about 1.7 kB per document).
# Wall time, peak resident memory (GNU time), throughput; the two outputs
# are compared byte for byte when both run.
#
# Environment: MEM_DOCS (documents, default 10000000), MEM_LIMIT (default
# 1G), MEM_THREADS (default: all cores), MEM_INMEMORY=1 to run in memory
# too, MEM_TMPDIR (spill directory; default $TMPDIR or /tmp).
# The corpus (about 650 bytes per document) is kept in bench/out.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DOCS=${MEM_DOCS:-10000000}
LIMIT=${MEM_LIMIT:-1G}
THREADS=${MEM_THREADS:-$(nproc)}
OUT=bench/out
mkdir -p "$OUT"
corpus=$OUT/short-$DOCS.jsonl
if ! /usr/bin/env time -f "%e" true 2>/dev/null; then
  SYNDIC_EXTRA_PKGS=time sh scripts/install-deps.sh
fi
[ -f "$corpus" ] || "$BUILD/bench/gen_dedup" -S -d "$DOCS" -W 65536 -s 1 >"$corpus"
bytes=$(wc -c <"$corpus")
echo "== $corpus: $DOCS documents, $(awk "BEGIN{printf \"%.2f\", $bytes/1e9}") GB of JSONL, $THREADS threads"

run() {
  label=$1
  shift
  /usr/bin/env time -f "%e %M" -o "$OUT/mem-time.txt" \
    "$BUILD/syndic" dedup -v --no-progress -j "$THREADS" "$@" "$corpus" -o "$OUT/mem-$label.jsonl" \
    2>"$OUT/mem-$label.log"
  read -r secs kb <"$OUT/mem-time.txt"
  echo "$label: $secs s, peak RSS $(awk "BEGIN{printf \"%.2f\", $kb/1048576}") GiB ($(awk "BEGIN{printf \"%.0f\", $kb*1024/$DOCS}") bytes per document), $(awk "BEGIN{printf \"%.1f\", $bytes/1e6/$secs}") MB/s"
  grep -E 'written to temporary|documents,' "$OUT/mem-$label.log" | sed 's/^/  /'
}
run "memory-$LIMIT" --memory "$LIMIT" ${MEM_TMPDIR:+--tmpdir "$MEM_TMPDIR"}
if [ "${MEM_INMEMORY:-0}" = 1 ]; then
  run in-memory
  if cmp -s "$OUT/mem-memory-$LIMIT.jsonl" "$OUT/mem-in-memory.jsonl"; then
    echo "outputs identical"
  else
    echo "outputs DIFFER"
    exit 1
  fi
fi
