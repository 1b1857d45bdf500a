# a WARC on standard input is told from its first bytes, gzip'd or not
sh tests/mkwarc.sh $TMP/crawl.warc.gz examples/pages/*.html
$SYNDIC extract -q - < $TMP/crawl.warc.gz | grep '^###'
gzip -dc $TMP/crawl.warc.gz | $SYNDIC extract -q - | grep -c '^###'
# a pipe that hands out its first bytes alone: the compression and the
# format are told from a whole first block, not from what came first
gzip -dc $TMP/crawl.warc.gz > $TMP/crawl.warc
(head -c 100 $TMP/crawl.warc; sleep 0.2; tail -c +101 $TMP/crawl.warc) | $SYNDIC extract -q - | grep -c '^###'
(head -c 1 $TMP/crawl.warc.gz; sleep 0.2; tail -c +2 $TMP/crawl.warc.gz) | $SYNDIC extract -q - | grep -c '^###'
