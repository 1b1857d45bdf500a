$SYNDIC dedup -q tests/golden/data/pages
