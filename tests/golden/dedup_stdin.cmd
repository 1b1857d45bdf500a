cat examples/news.jsonl | $SYNDIC dedup -q --threshold 0.7 -
