$SYNDIC dedup -q examples/news.jsonl > $TMP/a
$SYNDIC dedup -q --memory 1M --tmpdir $TMP examples/news.jsonl > $TMP/b
echo "exit $?"
cmp $TMP/a $TMP/b && echo "same output with --memory"
$SYNDIC dedup -q --memory 100k examples/news.jsonl
echo "exit $?"
$SYNDIC dedup -q --memory 1G --tmpdir /nonexistent/dir examples/news.jsonl
echo "exit $?"
# ids long enough that they go through the temporary ids file (1 MiB at a
# time), copies among them, and --keep: the same as in memory
awk 'BEGIN { srand(3); for (i = 0; i < 6000; i++) { id = sprintf("https://news.example/%0250d", i); if (i % 3 == 2) t = prev; else { t = ""; for (j = 0; j < 40; j++) t = t " w" int(rand() * 9000) } prev = t; printf "{\"id\":\"%s\",\"text\":\"%s\"}\n", id, t } }' > $TMP/long.jsonl
$SYNDIC dedup -q --keep $TMP/k1.jsonl $TMP/long.jsonl > $TMP/l1
$SYNDIC dedup -q --memory 1M --tmpdir $TMP --keep $TMP/k2.jsonl $TMP/long.jsonl > $TMP/l2
echo "exit $?"
cmp $TMP/l1 $TMP/l2 && cmp $TMP/k1.jsonl $TMP/k2.jsonl && echo "same output and kept records with long ids"
grep -c '"duplicate_of":"https' $TMP/l2
wc -l < $TMP/k2.jsonl
# the thread count (and with it the number of band shares) changes nothing
for j in 1 3; do
  $SYNDIC dedup -q -j $j --memory 1M --tmpdir $TMP $TMP/long.jsonl > $TMP/l-$j
  cmp $TMP/l1 $TMP/l-$j && echo "same output with -j $j"
done
