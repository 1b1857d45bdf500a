# syndic report refuses what is not a trace (dedup output, an empty file),
# writing no page; a line that is not a valid trace object is reported with
# its file and line and skipped, and the page is still written (exit 1); a
# line longer than --max-line is skipped without being held in memory.
d=$TMP/report-checks && mkdir -p $d
$SYNDIC dedup -q examples/news.jsonl > $d/dedup.jsonl
$SYNDIC report -o $d/r1.html $d/dedup.jsonl 2>&1 | sed "s|$d/||g"
$SYNDIC report -o $d/r1.html $d/dedup.jsonl 2>/dev/null; echo "exit $?"
: > $d/empty.jsonl
$SYNDIC report -o $d/r1.html $d/empty.jsonl 2>&1 | sed "s|$d/||g"
$SYNDIC extract -q --jsonl examples/pages/coastal-news.html | $SYNDIC report -o $d/r1.html - 2>&1
ls $d | grep -c html
$SYNDIC trace -q --passages --doc-text examples/trace > $d/t.jsonl
{ head -3 $d/t.jsonl
  echo '{"type":"story","story":"seven","copies":[]}'
  echo '{"type":"story","story":9,"copies":[{"doc":1,"lacks":[[1,2,3]]}]}'
  echo '{"type":"passage","story":0,"a":{"doc":1,"start":0,"end":9},"b":{"doc":2}}'
  echo '{"type":"doc","doc":7,"id":"x","stories":[0,"one"]}'
  echo '{"type":"dedup","id":"x"}'
  echo '[1,2,3]'
  echo '{"type":"doc",'
  awk 'BEGIN { s = "{\"type\":\"doc\",\"doc\":99,\"id\":\"long\",\"stories\":[],\"text\":\""; for (i = 0; i < 4000; i++) s = s "0123456789"; print s "\"}" }'
  tail -n +4 $d/t.jsonl; } > $d/damaged.jsonl
$SYNDIC report --max-line 32k -o $d/r2.html $d/damaged.jsonl 2>&1 | sed "s|$d/||g"
$SYNDIC report --max-line 32k -o $d/r2.html $d/damaged.jsonl 2>/dev/null; echo "exit $?"
grep -c '^,{"type":"error"' $d/r2.html
grep -c '^,{"type":"\(story\|doc\|passage\)"' $d/r2.html
