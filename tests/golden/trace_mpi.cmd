# Under mpirun, on 1, 2, 3 and 4 processes, with records dealt in blocks of
# 1, 3 and 4096 and with whole files dealt, trace writes what one process
# writes, byte for byte (stories, passages, doc lines with texts, the story
# report), for JSONL, pages, text files, bad lines and a damaged crawl.
$SYNDIC --version | grep -q "with MPI" || { echo "built without MPI"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# (sanitizer build: leak checks off under mpirun, as in dedup_mpi)
export ASAN_OPTIONS=detect_leaks=0
sh tests/mkwarc.sh $TMP/crawl.warc.gz examples/pages/*.html && head -c 300 $TMP/crawl.warc.gz >> $TMP/crawl.warc.gz
for input in examples/news.jsonl examples/pages examples/trace tests/golden/data/bad.jsonl $TMP/crawl.warc.gz; do
  name=$(basename $input)
  $SYNDIC trace -j 1 --no-progress --passages --doc-text --html $TMP/one.html -o $TMP/one $input 2> $TMP/one.err
  one=$?
  for run in "1 4096 auto" "2 1 records" "4 3 records" "3 4096 files"; do
    set -- $run
    SYNDIC_SHARE_BLOCK=$2 mpirun -np $1 -x SYNDIC_SHARE_BLOCK -x ASAN_OPTIONS $SYNDIC trace --share $3 -j 1 --no-progress --passages --doc-text --html $TMP/many.html -o $TMP/many $input 2> $TMP/many.err
    rc=$?
    for f in one many; do
      grep '^syndic' $TMP/$f.err | sed 's/ in [0-9.]* s ([0-9.]* MB\/s)//; s/report written to .*/report written/' | sort > $TMP/$f.msg
    done
    if cmp -s $TMP/one $TMP/many && cmp -s $TMP/one.html $TMP/many.html && [ $rc = $one ] && cmp -s $TMP/one.msg $TMP/many.msg; then
      echo "$name: same on $1 processes, --share $3 (blocks of $2)"
    else
      echo "$name: DIFFERENT on $1 processes, --share $3 (blocks of $2; exit $rc, not $one)"; diff $TMP/one $TMP/many | head -5; diff $TMP/one.msg $TMP/many.msg | head -5
    fi
  done
done
grep -c '"story"' $TMP/one
# with --memory: postings, anchors and documents travel in rounds and are
# kept in sorted runs and file-backed stores; the same output
$SYNDIC trace -q --passages --doc-text examples/trace > $TMP/m1
SYNDIC_SHARE_BLOCK=1 mpirun -np 3 -x SYNDIC_SHARE_BLOCK -x ASAN_OPTIONS $SYNDIC trace -q --passages --doc-text --memory 1M --tmpdir $TMP --share records examples/trace > $TMP/m2
cmp $TMP/m1 $TMP/m2 && echo "same with --memory on 3 processes"
