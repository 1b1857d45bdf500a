# JSON Lines under a .json name, gzip'd too; a JSON array (pretty-printed,
# gzip'd); CSV with quoted newlines and a bad row; TSV with a bad row;
# HTML and JSON Lines (after a byte order mark) under names that say
# nothing: every format told from its content, the same stories found
d=tests/golden/data/formats
gzip -n -c $d/lines.json > $TMP/lines.json.gz
gzip -n -c $d/array.json > $TMP/array.json.gz
cp $d/records.ndjson $TMP/records.dat
$SYNDIC dedup -j 1 --no-progress -t 0.5 $d/lines.json $TMP/lines.json.gz $d/array.json $TMP/array.json.gz \
  $d/quoted.csv $d/table.tsv $d/page $TMP/records.dat >$TMP/result 2>&1
echo "exit $?"
sed -e 's/ in [0-9.]* s ([0-9.]* MB\/s)//' -e "s|$TMP/||g" $TMP/result
