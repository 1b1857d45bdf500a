sh tests/mkwarc.sh $TMP/crawl.warc.gz examples/pages/*.html && $SYNDIC trace -q --no-text $TMP/crawl.warc.gz
