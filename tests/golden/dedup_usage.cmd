$SYNDIC dedup --threshold 2 examples/news.jsonl
