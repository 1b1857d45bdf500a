$SYNDIC dedup -q -j 1 examples/news.jsonl tests/golden/data/bad.jsonl > $TMP/one
$SYNDIC dedup -q -j 4 examples/news.jsonl tests/golden/data/bad.jsonl > $TMP/four
cmp $TMP/one $TMP/four && echo "same output for 1 and 4 threads"
