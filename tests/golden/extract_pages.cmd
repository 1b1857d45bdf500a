$SYNDIC extract -q --jsonl -j2 examples/pages
