sh tests/mkwarc.sh $TMP/crawl.warc.gz examples/pages/*.html && head -c 300 $TMP/crawl.warc.gz >> $TMP/crawl.warc.gz && $SYNDIC dedup -q -j2 $TMP/crawl.warc.gz | sed "s|$TMP/||g"
