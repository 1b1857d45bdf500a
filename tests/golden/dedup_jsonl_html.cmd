$SYNDIC dedup -q tests/golden/data/pages.jsonl && $SYNDIC dedup -q --html-field nothing tests/golden/data/pages.jsonl
