sh tests/mkwarc.sh $TMP/crawl.warc.gz examples/pages/*.html && $SYNDIC extract -q $TMP/crawl.warc.gz
