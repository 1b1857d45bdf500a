$SYNDIC report -o $TMP/r.html - <<'TRACE'
{"type":"story","story":0,"origin":{"doc":0,"id":"a</script>"},"members":1,"text":"</script><!--<script>alert(1)</script> & <b>bold</b>","copies":[]}
{"type":"doc","doc":0,"id":"a</script>","stories":[0],"text":"x \u2028 y"}
not json at all
{"no":"type"}

{"type":"doc","doc":1,"id":"b","stories":[],"skipped":"page has no article text (no run of prose)"}
TRACE
echo "exit $?"
awk '/^<script type="application\/json"/ {on = 1} on {print} /^]<\/script>/ {if (on) exit}' $TMP/r.html
grep -c '<script' $TMP/r.html
grep -o "default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]*='; style-src 'sha256-[A-Za-z0-9+/]*='" $TMP/r.html | wc -l
