#!/bin/sh
# make bench-python: dedup of a bench corpus from Python (the syndic
# package) against the program on the same corpus, and against datasketch
# in the same Python process on one core; then the 1M-record streaming
# test under a memory limit. usage: python_bench.sh PATH/TO/syndic
# PY_MB (default 100) sizes the corpus, DS_MB (default 3) datasketch's
# share of it; DATASKETCH_SRC points at a datasketch checkout (skipped
# without it). The machine is shared: figures are medians of alternating runs.
set -e
prog=${1:-build/syndic}
PYTHON=${PYTHON:-/usr/bin/python3}
MB=${PY_MB:-100}
mkdir -p bench/out
corpus=bench/out/python_dedup_${MB}.jsonl
[ -f "$corpus" ] || build/bench/gen_dedup -m "$MB" >"$corpus"
$PYTHON -P bench/python_bench.py "$prog" "$corpus" "${DS_MB:-3}"
echo "1M short records from a generator under memory=64M (python/tests):"
(cd python && SYNDIC_SLOW=1 SYNDIC_PROG=$(cd .. && pwd)/$prog $PYTHON -P -m pytest -q -s \
  -p no:cacheprovider tests/test_dedup.py -k one_million 2>&1 | grep -E "1M records|passed|failed")
