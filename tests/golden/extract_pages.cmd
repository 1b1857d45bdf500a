$SYNDIC extract -q --jsonl -j2 tests/golden/data/pages
