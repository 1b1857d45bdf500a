#!/bin/sh
# CLI golden tests. Each case is tests/golden/NAME.cmd, a shell command line
# run from the repository root with $SYNDIC set to the program under test.
# Its standard output must equal NAME.out, its exit code NAME.rc (0 if the
# file is absent), and, when NAME.err exists, its standard error must equal
# that file. Set UPDATE=1 to rewrite the expected files from the current
# output (then review the diff before committing). A case that exits 77 is
# skipped, with its first line of output as the reason (the MPI cases, when
# the program was built without MPI: make MPI=0).
#
# usage: sh tests/cli.sh PATH/TO/syndic
set -u
SYNDIC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export SYNDIC
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/syndic-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
export TMP="$tmp"
passed=0
failed=0
skipped=0
for cmd in tests/golden/*.cmd; do
  [ -f "$cmd" ] || continue
  name=${cmd%.cmd}
  sh -c "$(cat "$cmd")" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  if [ "$rc" = 77 ]; then
    echo "SKIP $name: $(head -1 "$tmp/out")"; skipped=$((skipped + 1)); continue
  fi
  want_rc=0
  [ -f "$name.rc" ] && want_rc=$(cat "$name.rc")
  if [ "${UPDATE:-0}" = 1 ]; then
    cp "$tmp/out" "$name.out"
    [ "$rc" != 0 ] && echo "$rc" >"$name.rc"
    [ -f "$name.err" ] && cp "$tmp/err" "$name.err"
  fi
  ok=1
  if ! cmp -s "$tmp/out" "$name.out"; then
    echo "FAIL $name: stdout differs:"; diff "$name.out" "$tmp/out" | head -20; ok=0
  fi
  if [ "$rc" != "$want_rc" ]; then
    echo "FAIL $name: exit code $rc, expected $want_rc"; head -5 "$tmp/err"; ok=0
  fi
  if [ -f "$name.err" ] && ! cmp -s "$tmp/err" "$name.err"; then
    echo "FAIL $name: stderr differs:"; diff "$name.err" "$tmp/err" | head -20; ok=0
  fi
  if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
[ "$skipped" = 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
