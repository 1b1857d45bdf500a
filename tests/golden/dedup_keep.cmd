$SYNDIC dedup -q --keep $TMP/kept.jsonl.gz examples/news.jsonl > /dev/null && gzip -dc $TMP/kept.jsonl.gz | cut -c1-60
