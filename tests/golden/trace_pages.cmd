$SYNDIC trace -q --passages examples/pages
