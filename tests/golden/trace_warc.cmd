sh tests/mkwarc.sh $TMP/crawl.warc.gz tests/golden/data/pages/*.html && $SYNDIC trace -q --no-text $TMP/crawl.warc.gz
