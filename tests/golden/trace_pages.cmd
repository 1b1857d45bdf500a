$SYNDIC trace -q --passages tests/golden/data/pages
