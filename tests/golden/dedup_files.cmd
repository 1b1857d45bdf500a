$SYNDIC dedup -q tests/golden/data/files && $SYNDIC dedup -q --keep $TMP/kept tests/golden/data/files > /dev/null && find $TMP/kept -type f | sed "s|$TMP/||" | sort
