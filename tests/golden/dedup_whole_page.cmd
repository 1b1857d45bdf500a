$SYNDIC dedup -q --whole-page examples/pages
