$SYNDIC trace tests/golden/data/bad.jsonl 2>$TMP/err
echo "exit $?"
grep -v "^syndic: 6 documents" $TMP/err
