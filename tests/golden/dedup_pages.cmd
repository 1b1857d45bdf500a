$SYNDIC dedup -q examples/pages
