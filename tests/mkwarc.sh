#!/bin/sh
# Writes a web-crawl archive as large crawls publish them: a WARC/1.1 file
# with one gzip member per record, a warcinfo record, then a response record
# (HTTP headers and the page) per HTML file given, its URI made from the
# file's name: https://SITE.example/NAME, SITE the name's first two words
# (harbour-gazette-bakery.html is a page of harbour-gazette.example). Used
# by the CLI golden tests, so the archive is written here, not stored.
#
# usage: sh tests/mkwarc.sh OUT.warc.gz PAGE.html...
set -eu
out=$1
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkwarc-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
: >"$out"

# record TYPE URI CONTENT-TYPE BODY-FILE NUMBER
record() {
  len=$(wc -c <"$4" | tr -d ' ')
  {
    printf 'WARC/1.1\r\n'
    printf 'WARC-Type: %s\r\n' "$1"
    [ -n "$2" ] && printf 'WARC-Target-URI: %s\r\n' "$2"
    printf 'WARC-Date: 2026-03-14T08:%02d:00Z\r\n' "$5"
    printf 'WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-%012d>\r\n' "$5"
    printf 'Content-Type: %s\r\n' "$3"
    printf 'Content-Length: %s\r\n\r\n' "$len"
    cat "$4"
    printf '\r\n\r\n'
  } | gzip -n >>"$out"
}

printf 'software: syndic tests/mkwarc.sh\r\nformat: WARC File Format 1.1\r\n' >"$tmp/info"
record warcinfo "" "application/warc-fields" "$tmp/info" 0
n=1
for page in "$@"; do
  name=$(basename "$page" .html)
  site=$(echo "$name" | cut -d- -f1-2)
  charset=utf-8
  grep -qi 'charset=windows-1252' "$page" && charset=windows-1252
  {
    printf 'HTTP/1.1 200 OK\r\n'
    printf 'Content-Type: text/html; charset=%s\r\n' "$charset"
    printf 'Content-Length: %s\r\n\r\n' "$(wc -c <"$page" | tr -d ' ')"
    cat "$page"
  } >"$tmp/body"
  record response "https://$site.example/$name" "application/http; msgtype=response" "$tmp/body" $n
  n=$((n + 1))
done
