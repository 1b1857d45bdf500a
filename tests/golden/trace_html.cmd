$SYNDIC trace -q --html $TMP/r.html examples/trace
echo "exit $?"
awk '/^<script type="application\/json"/ {on = 1} on {print} /^]<\/script>/ {if (on) exit}' $TMP/r.html | cut -c1-150
$SYNDIC trace -q --html $TMP/r2.html -o $TMP/t.jsonl examples/trace
echo "exit $?"
cmp $TMP/r.html $TMP/r2.html && echo "same report with -o"
grep -c '"type"' $TMP/t.jsonl
$SYNDIC trace -q --html $TMP/r3.html -j 1 examples/trace && cmp $TMP/r.html $TMP/r3.html && echo "same report on one thread"
