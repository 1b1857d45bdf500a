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
# a trace of two copies written by hand (so its bytes never move), with
# damaged lines among its own
{ echo '{"type":"story","story":0,"origin":{"doc":0,"id":"a.txt","by":"coverage"},"members":2,"passages":1,"consensus_tokens":8,"consensus":[[0,44]],"copies":[{"doc":0,"id":"a.txt","role":"full","origin":true,"share":1,"identity":1,"spans":[[0,44]],"added":[],"lacks":[],"changed":[]},{"doc":1,"id":"b.txt","role":"full","origin":false,"share":1,"identity":1,"spans":[[6,50]],"added":[],"lacks":[],"changed":[]}]}'
  echo '{"type":"passage","story":0,"a":{"doc":0,"id":"a.txt","start":0,"end":44,"tokens":8},"b":{"doc":1,"id":"b.txt","start":6,"end":50,"tokens":8},"columns":8,"equal":8,"identity":1,"changes":[]}'
  echo '{"type":"story","story":"seven","copies":[]}'
  echo '{"type":"story","story":9,"copies":[{"doc":1,"lacks":[[1,2,3]]}]}'
  echo '{"type":"passage","story":0,"a":{"doc":1,"start":0,"end":9},"b":{"doc":2}}'
  echo '{"type":"doc","doc":7,"id":"x","stories":[0,"one"]}'
  echo '{"type":"dedup","id":"x"}'
  echo '[1,2,3]'
  echo '{"type":"doc",'
  awk 'BEGIN { s = "{\"type\":\"doc\",\"doc\":99,\"id\":\"long\",\"stories\":[],\"text\":\""; for (i = 0; i < 4000; i++) s = s "0123456789"; print s "\"}" }'
  echo '{"type":"doc","doc":0,"id":"a.txt","stories":[0],"text":"The ferry returned to the island on Monday."}'
  echo '{"type":"doc","doc":1,"id":"b.txt","stories":[0],"text":"News: The ferry returned to the island on Monday."}'; } > $d/damaged.jsonl
$SYNDIC report --max-line 32k -o $d/r2.html $d/damaged.jsonl 2>&1 | sed "s|$d/||g"
$SYNDIC report --max-line 32k -o $d/r2.html $d/damaged.jsonl 2>/dev/null; echo "exit $?"
grep -c '^,{"type":"error"' $d/r2.html
grep -c '^,{"type":"\(story\|doc\|passage\)"' $d/r2.html
