$SYNDIC dedup -q examples/news.jsonl > $TMP/a
$SYNDIC dedup -q --memory 1M --tmpdir $TMP examples/news.jsonl > $TMP/b
echo "exit $?"
cmp $TMP/a $TMP/b && echo "same output with --memory"
$SYNDIC dedup -q --memory 100k examples/news.jsonl
echo "exit $?"
$SYNDIC dedup -q --memory 1G --tmpdir /nonexistent/dir examples/news.jsonl
echo "exit $?"
