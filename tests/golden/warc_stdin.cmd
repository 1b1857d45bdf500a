# a WARC on standard input is told from its first bytes, gzip'd or not
sh tests/mkwarc.sh $TMP/crawl.warc.gz examples/pages/*.html
$SYNDIC extract -q - < $TMP/crawl.warc.gz | grep '^###'
gzip -dc $TMP/crawl.warc.gz | $SYNDIC extract -q - | grep -c '^###'
