#!/bin/sh
# Browser tests of the story report: Debian's chromium driven by
# playwright-core from npm. Installs what is missing first (Debian packages
# through scripts/install-deps.sh, the npm package into tests/browser).
#
#   sh tests/browser/run.sh PATH/TO/syndic            the tests ("N passed, M failed")
#   sh tests/browser/run.sh PATH/TO/syndic --bench    load times of a 5,000-story report
#
# Reports and screenshots go to build/browser/.
set -e
SYNDIC=${1:-build/syndic}
MODE=${2:-test}
cd "$(dirname "$0")/../.."
case $SYNDIC in /*) ;; *) SYNDIC=$PWD/$SYNDIC ;; esac

extra="chromium"
command -v node >/dev/null 2>&1 || extra="$extra nodejs npm"
SYNDIC_EXTRA_PKGS="$extra" sh scripts/install-deps.sh
if [ ! -x "${CHROMIUM:=/usr/bin/chromium}" ]; then
  echo "tests/browser: no chromium at $CHROMIUM" >&2
  exit 1
fi
export CHROMIUM
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

OUT=build/browser
mkdir -p $OUT
if [ "$MODE" = --bench ]; then
  node tests/browser/gen_trace.mjs 5000 > $OUT/bench-trace.jsonl
  "$SYNDIC" report -q $OUT/bench-trace.jsonl -o $OUT/bench-report.html
  exec node tests/browser/report.bench.mjs $OUT
fi
# The sample corpus (its pages as a crawl, so they have URLs and dates), a
# copy of the wire story whose text holds markup, and a feed with a broken
# record (so trace exits 1).
sh tests/mkwarc.sh $OUT/crawl.warc.gz examples/pages/*.html
INPUTS="examples/trace $OUT/crawl.warc.gz tests/browser/data"
"$SYNDIC" trace -q --html $OUT/report.html $INPUTS || [ $? = 1 ]
"$SYNDIC" trace -q $INPUTS > $OUT/trace.jsonl || [ $? = 1 ]
# The saved trace with damaged lines among its own: syndic report lists
# and skips them (exit 1), and the page must still render.
{ head -2 $OUT/trace.jsonl
  echo '{"type":"story","story":"seven","copies":7}'
  echo '{"type":"doc","doc":3}'
  echo 'not json'
  tail -n +3 $OUT/trace.jsonl; } > $OUT/trace-damaged.jsonl
"$SYNDIC" report -q $OUT/trace-damaged.jsonl -o $OUT/report-damaged.html || [ $? = 1 ]
node tests/browser/report.test.mjs $OUT
