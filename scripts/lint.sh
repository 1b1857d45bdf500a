#!/bin/sh
# make lint: formatting, static analysis, and functions the project bans.
set -u
cd "$(dirname "$0")/.."
status=0
files=$(ls src/*/*.c src/*/*.h cli/*.c cli/*.h cli/mpi/*.c cli/mpi/*.h include/*.h 2>/dev/null)

# Banned: unbounded string functions and ones that print or exit from the
# library.
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol)\s*\('
if grep -nE "$banned" $files; then
  echo "lint: banned function (use the bounded or checked form)"; status=1
fi
if grep -nE '\b(printf|fprintf|puts|exit|abort)\s*\(' src/*/*.c; then
  echo "lint: the library never prints or exits"; status=1
fi

if command -v cppcheck >/dev/null; then
  cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
    --inline-suppr --std=c11 -Iinclude -Isrc $files || status=1
fi
if command -v clang-format >/dev/null && [ -f .clang-format ]; then
  for f in $files; do
    clang-format --dry-run --Werror "$f" 2>/dev/null || { echo "lint: $f is not clang-formatted"; status=1; }
  done
fi
if command -v clang-tidy >/dev/null; then
  # A crash of clang-tidy on one file leaves the files after it unchecked:
  # that fails the lint too.
  tidy_log=$(mktemp)
  clang-tidy --quiet $files -- -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -Icli -I"${BUILD:-build}/gen" \
    $(pkg-config --cflags libxml-2.0 uchardet ompi-c 2>/dev/null) >"$tidy_log" 2>&1
  grep -E 'warning:|error:' "$tidy_log" && status=1
  if grep -qE 'Stack dump|Segmentation fault' "$tidy_log"; then
    grep -A6 'Stack dump' "$tidy_log"
    echo "lint: clang-tidy crashed (the files after that one went unchecked)"; status=1
  fi
  rm -f "$tidy_log"
fi
[ $status = 0 ] && echo "lint: clean"
exit $status
