# An output that cannot be written to the end (a full disk, a file size
# limit) leaves the previous file as it was and no temporary, and the run
# says why and exits 1. The disk is a 64 kB tmpfs (skipped where mounting
# one is not allowed); the size limit is ulimit -f with SIGXFSZ ignored.
TMP=$TMP/output-full-disk && mkdir -p $TMP
mkdir $TMP/small
mount -t tmpfs -o size=64k tmpfs $TMP/small 2>/dev/null || { echo "cannot mount a tmpfs here"; exit 77; }
trap 'umount $TMP/small' EXIT
awk 'BEGIN { srand(3); for (i = 0; i < 4000; i++) { t = ""; for (j = 0; j < 40; j++) t = t " w" int(rand() * 9000); printf "{\"id\":\"doc-%d\",\"text\":\"%s\"}\n", i, t } }' > $TMP/many.jsonl
echo "the previous results" > $TMP/small/res.jsonl
$SYNDIC dedup -q -o $TMP/small/res.jsonl $TMP/many.jsonl 2>&1 | sed "s|$TMP/||g"
$SYNDIC dedup -q -o $TMP/small/res.jsonl $TMP/many.jsonl 2>/dev/null; echo "exit $?"
$SYNDIC dedup -q --keep $TMP/small/kept.jsonl $TMP/many.jsonl > /dev/null 2>&1; echo "exit $?"
$SYNDIC trace -q --html $TMP/small/r.html -o $TMP/small/t.jsonl $TMP/many.jsonl 2>&1 | sed "s|$TMP/||g"
$SYNDIC extract -q -o $TMP/small/e.txt $TMP/many.jsonl 2>&1 | sed "s|$TMP/||g"
ls -A $TMP/small
cat $TMP/small/res.jsonl
# a file size limit: the write fails with EFBIG
echo "the previous results" > $TMP/res2.jsonl
(trap '' XFSZ; ulimit -f 64; $SYNDIC dedup -q -o $TMP/res2.jsonl $TMP/many.jsonl) 2>&1 | sed "s|$TMP/||g"
cat $TMP/res2.jsonl
ls -A $TMP | grep -c syndic-
# standard output on a full device: an error, exit 1
$SYNDIC dedup -q examples/news.jsonl > /dev/full; echo "exit $?"
