#!/bin/sh
# The C example of docs/ (docs/example.c, built by make with the public
# header only): its output must be docs/example.out.
#
# usage: sh tests/example.sh PATH/TO/example
set -u
cd "$(dirname "$0")/.." || exit 2
out=$("$1") || { echo "FAIL docs/example.c: exit $?"; echo "0 passed, 1 failed"; exit 1; }
if [ "$out" = "$(cat docs/example.out)" ]; then
  echo "1 passed, 0 failed"
else
  echo "FAIL docs/example.c: output differs from docs/example.out:"
  echo "$out" | diff docs/example.out - | head -20
  echo "0 passed, 1 failed"
  exit 1
fi
