# A full disk: an add that runs out of space fails with a clear error and
# writes nothing; the index then checks and holds the batch before it.
# The index is on a tmpfs of 1 MiB (mounting one needs root: skipped
# otherwise).
d=$TMP/full
mkdir -p "$d"
mount -t tmpfs -o size=1m syndic-full "$d" 2>/dev/null || { echo "mounting a tmpfs needs root"; exit 77; }
trap 'umount "$d"' EXIT
pages() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) { printf "{\"id\":\"p%d-%d\",\"text\":\"", s, i; for (w = 0; w < 80; w++) printf "w%d ", (i * 7919 + w * 104729 + s * 13) % 5000; print "\"}" } }'; }
pages 10 1 >"$TMP/first.jsonl"
pages 3000 2 >"$TMP/big.jsonl"
$SYNDIC index create "$d/ix" 2>/dev/null && echo "created"
$SYNDIC index add "$d/ix" "$TMP/first.jsonl" >/dev/null 2>&1 && echo "first batch added"
$SYNDIC index add "$d/ix" "$TMP/big.jsonl" 2>&1 >/dev/null; echo "second batch: exit $?"
$SYNDIC index check "$d/ix" 2>&1 | sed "s|$d|FULL|g"
$SYNDIC index stats "$d/ix" | grep '^pages:'
