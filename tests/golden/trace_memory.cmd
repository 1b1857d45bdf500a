# trace --memory: fingerprints and anchors in sorted runs on disk, merged;
# the output is the in-memory one, byte for byte, and no file is left
d=$TMP/trace-memory && mkdir -p $d/spill
$SYNDIC trace -q --passages --doc-text examples/trace > $d/a
$SYNDIC trace -q --passages --doc-text --memory 1M --tmpdir $d/spill examples/trace > $d/b
echo "exit $?"
cmp $d/a $d/b && echo "same output with --memory"
awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) { if (i % 4 == 3) t = prev " coda"; else { t = ""; for (j = 0; j < 120; j++) t = t " w" int(rand() * 20000) } prev = t; printf "{\"id\":\"d%d\",\"text\":\"%s\"}\n", i, t } }' > $d/many.jsonl
$SYNDIC trace -q --passages $d/many.jsonl > $d/c
$SYNDIC trace -v --passages --memory 1M --tmpdir $d/spill $d/many.jsonl 2> $d/err > $d/d
cmp $d/c $d/d && echo "same output with --memory on 3000 records"
grep -c '"story"' $d/d
grep -q 'written to temporary files' $d/err && echo "spilled"
ls -A $d/spill | wc -l
$SYNDIC trace --memory 100k examples/trace 2>&1
echo "exit $?"
