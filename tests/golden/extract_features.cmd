$SYNDIC extract -q --jsonl --comments --links --captions --no-tables tests/golden/data/pages/allotment.html
