$SYNDIC dedup -q -j 2 examples/news.jsonl
