sh tests/mkwarc.sh $TMP/crawl.warc.gz tests/golden/data/pages/*.html && $SYNDIC extract -q $TMP/crawl.warc.gz
