#!/bin/sh
# What `make install` gives a program outside the project: it installs the
# program, both libraries (the shared one under its SONAME), the header,
# syndic.pc and the man page; docs/example.c builds against them with
# pkg-config alone, linked to the shared library and to the static one,
# and prints docs/example.out; and the shared library exports the public
# API and nothing else (nm -D lists exactly the SD_API names of syndic.h).
#
# usage: sh tests/install.sh DESTDIR PREFIX BUILD/libsyndic.so
set -u
dest=$1
prefix=$2
built=$3
cd "$(dirname "$0")/.." || exit 2
CC=${CC:-cc}
lib=$dest$prefix/lib
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { echo "FAIL install: $*"; failed=$((failed + 1)); }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/syndic-install-test-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
# the staged tree, as pkg-config sees an installed one: syndic.pc there,
# its prefix moved to where it is staged
export PKG_CONFIG_PATH="$lib/pkgconfig"
pc() { pkg-config --define-variable=prefix="$dest$prefix" "$@" syndic; }

for f in bin/syndic lib/libsyndic.a lib/libsyndic.so include/syndic.h lib/pkgconfig/syndic.pc \
         share/man/man1/syndic.1; do
  if [ -e "$dest$prefix/$f" ]; then pass; else fail "$prefix/$f not installed"; fi
done
soname=$(readelf -d "$lib/libsyndic.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ -n "$soname" ] && [ -L "$lib/$soname" ]; then pass; else fail "no SONAME link '$soname'"; fi

# linked to the shared library: it needs libsyndic under its SONAME
if $CC -std=c11 -Wall -Werror docs/example.c -o "$tmp/shared" $(pc --cflags --libs) &&
   readelf -d "$tmp/shared" | grep -q "(NEEDED).*\[$soname\]" &&
   LD_LIBRARY_PATH="$lib" "$tmp/shared" > "$tmp/out" && cmp -s "$tmp/out" docs/example.out; then
  pass
else
  fail "docs/example.c against the shared library (pkg-config --libs syndic)"
fi

# linked to the static library: Libs.private and Requires.private supply
# what it needs, and the program needs no libsyndic.so
static=$(pc --libs --static | sed 's/-lsyndic/-Wl,-Bstatic -lsyndic -Wl,-Bdynamic/')
if $CC -std=c11 -Wall -Werror docs/example.c -o "$tmp/static" $(pc --cflags) $static &&
   ! readelf -d "$tmp/static" | grep -q "(NEEDED).*libsyndic" &&
   "$tmp/static" > "$tmp/out" && cmp -s "$tmp/out" docs/example.out; then
  pass
else
  fail "docs/example.c against the static library (pkg-config --libs --static syndic)"
fi

# the exports, of the built library and of the installed one
sed -n 's/^SD_API .*[ *]\(sd_[a-z0-9_]*\)(.*/\1/p' include/syndic.h | sort > "$tmp/want"
for so in "$built" "$lib/libsyndic.so"; do
  nm -D --defined-only "$so" | awk '{print $3}' | sort > "$tmp/got"
  if cmp -s "$tmp/want" "$tmp/got"; then
    pass
  else
    fail "nm -D $so: exports differ from the SD_API declarations of syndic.h:"
    diff "$tmp/want" "$tmp/got" | head -10
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
