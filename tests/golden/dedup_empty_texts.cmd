# records whose texts are all empty: copies of each other, not missing
$SYNDIC dedup -q tests/golden/data/empty_texts.jsonl
echo "exit $?"
$SYNDIC dedup -q --memory 1M tests/golden/data/empty_texts.jsonl
