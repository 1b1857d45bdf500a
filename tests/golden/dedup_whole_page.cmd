$SYNDIC dedup -q --whole-page tests/golden/data/pages
