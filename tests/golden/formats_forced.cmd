# --format forces one format for every input; a bad name is a usage error
d=tests/golden/data/formats
$SYNDIC dedup -q --format text $d/lines.json $d/quoted.csv
$SYNDIC dedup -q --format jsonl $d/page
echo "exit $?"
$SYNDIC dedup --format yaml $d/lines.json 2>&1
echo "exit $?"
