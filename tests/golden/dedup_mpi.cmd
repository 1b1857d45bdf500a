# Under mpirun, on 1, 2, 3 and 4 processes, with records dealt in blocks of
# 1, 3 and 4096 and with whole files dealt, dedup writes what one process
# writes, byte for byte: copies across processes and files, exact copies,
# bad lines, empty texts, pages, a damaged crawl, shards (one empty, one
# compressed), and the summary.
$SYNDIC --version | grep -q "with MPI" || { echo "built without MPI"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# In the sanitizer build, address and undefined-behaviour checks stay on
# under mpirun; leak checks do not (Open MPI leaves its plugins' memory
# allocated at exit, from unloaded modules no suppression can name).
export ASAN_OPTIONS=detect_leaks=0
awk 'BEGIN { srand(5); for (i = 0; i < 3000; i++) { if (i % 4 == 3) t = prev " extra"; else if (i % 9 == 5) t = prev; else { t = ""; for (j = 0; j < 30; j++) t = t " w" int(rand() * 5000) } prev = t; printf "{\"id\":\"d%d\",\"text\":\"%s\"}\n", i, t } }' > $TMP/near.jsonl
sh tests/mkwarc.sh $TMP/crawl.warc.gz examples/pages/*.html && head -c 300 $TMP/crawl.warc.gz >> $TMP/crawl.warc.gz
# shards: copies across files, an empty file, a bad one, a compressed one
mkdir -p $TMP/shards && split -l 500 -d -a 2 --additional-suffix=.jsonl $TMP/near.jsonl $TMP/shards/part-
: > $TMP/shards/part-03b.jsonl && cp tests/golden/data/bad.jsonl $TMP/shards/part-04b.jsonl && gzip $TMP/shards/part-05.jsonl
for input in examples/news.jsonl $TMP/near.jsonl tests/golden/data/bad.jsonl tests/golden/data/empty_texts.jsonl examples/pages $TMP/crawl.warc.gz $TMP/shards; do
  name=$(basename $input)
  $SYNDIC dedup -j 1 --no-progress $input > $TMP/one 2> $TMP/one.err
  one=$?
  for run in "1 4096 auto" "2 1 records" "4 3 records" "3 4096 files"; do
    set -- $run
    SYNDIC_SHARE_BLOCK=$2 mpirun -np $1 -x SYNDIC_SHARE_BLOCK -x ASAN_OPTIONS $SYNDIC dedup -j 1 --no-progress --share $3 $input > $TMP/many 2> $TMP/many.err
    rc=$?
    # the summary, and the warnings (each process warns of its own records)
    for f in one many; do
      grep '^syndic' $TMP/$f.err | sed 's/ in [0-9.]* s ([0-9.]* MB\/s)//' | sort > $TMP/$f.msg
    done
    if cmp -s $TMP/one $TMP/many && [ $rc = $one ] && cmp -s $TMP/one.msg $TMP/many.msg; then
      echo "$name: same on $1 processes, --share $3 (blocks of $2)"
    else
      echo "$name: DIFFERENT on $1 processes, --share $3 (blocks of $2; exit $rc, not $one)"; diff $TMP/one $TMP/many | head -5; diff $TMP/one.msg $TMP/many.msg | head -5
    fi
  done
done
# copies found across processes
$SYNDIC dedup -q $TMP/near.jsonl | grep -c '"duplicate_of":"d'
# --memory: each process's arrays are file-backed; the same output again
for input in $TMP/near.jsonl $TMP/shards; do
  $SYNDIC dedup -q -j 1 $input > $TMP/one
  for run in "2 1 records" "3 4096 files"; do
    set -- $run
    rm -rf $TMP/spill && mkdir $TMP/spill
    SYNDIC_SHARE_BLOCK=$2 mpirun -np $1 -x SYNDIC_SHARE_BLOCK -x ASAN_OPTIONS $SYNDIC dedup -q -j 1 --memory 1M --tmpdir $TMP/spill --share $3 $input > $TMP/many 2> /dev/null
    rc=$?
    echo "--memory $(basename $input): $(cmp -s $TMP/one $TMP/many && echo same || echo DIFFERENT) on $1 processes, --share $3 (exit $rc), $(ls -A $TMP/spill | wc -l) files left"
  done
done
# what does not run under mpirun says so
mpirun -np 2 $SYNDIC extract examples/pages 2>&1 | grep '^syndic'
mpirun -np 2 $SYNDIC dedup - < examples/news.jsonl 2>&1 | grep '^syndic'
# a process that fails ends the job (no process is left waiting for it)
SYNDIC_SHARE_BLOCK=2 timeout 60 mpirun -np 2 -x SYNDIC_SHARE_BLOCK -x ASAN_OPTIONS $SYNDIC dedup -q -o /nonexistent/out.jsonl examples/news.jsonl 2>&1 | grep '^syndic'
timeout 60 mpirun -np 2 -x ASAN_OPTIONS $SYNDIC trace -q --html /nonexistent/r.html examples/trace > /dev/null 2>&1
echo "exit $?"
# --keep: the kept records (JSONL, compressed; WARC; files into a directory)
# are those one process keeps, in the same order
for input in $TMP/shards $TMP/crawl.warc.gz examples/pages; do
  case $input in *crawl*) k=kept.warc.gz ;; *pages) k=keptdir ;; *) k=kept.jsonl.gz ;; esac
  $SYNDIC dedup -q --keep $TMP/one-$k $input > /dev/null
  for run in "2 1 records" "3 4096 files"; do
    set -- $run
    rm -rf $TMP/many-$k
    SYNDIC_SHARE_BLOCK=$2 mpirun -np $1 -x SYNDIC_SHARE_BLOCK -x ASAN_OPTIONS $SYNDIC dedup -q --share $3 --keep $TMP/many-$k $input > /dev/null 2>&1
    if [ -d $TMP/one-$k ]; then same=$(diff -r $TMP/one-$k $TMP/many-$k > /dev/null && echo same); else same=$(cmp -s $TMP/one-$k $TMP/many-$k && echo same); fi
    echo "--keep $(basename $input): ${same:-DIFFERENT} on $1 processes, --share $3"
  done
done
zcat $TMP/one-kept.jsonl.gz | wc -l
