# extract's text mode shows the control characters of ids and urls as
# escapes: a newline in an id cannot fake a "###" header, an escape
# sequence never reaches the terminal, a backslash is doubled.
printf '{"id":"a\\n### fake\\u001b[31m","url":"http://x.example/\\u009b2J\\\\","html":"<html><body><p>Hello there, this is a paragraph of text for the test.</p></body></html>"}\n{"id":"b\\rc","text":"plain"}\n' > $TMP/ctrl.jsonl
$SYNDIC extract -q $TMP/ctrl.jsonl | od -c | sed 's/^[0-9]*//' | tr -s ' '
