# Outputs that are safe: an output that is one of the inputs is refused and
# the input left as it was; two outputs naming one file are refused; every
# output path is checked before any input is read (the input here is a FIFO
# nobody writes to: a run that read it first would wait until the timeout).
TMP=$TMP/output-safety && mkdir -p $TMP
run() { "$@" > $TMP/o 2> $TMP/e; echo "exit $?"; sed "s|$TMP/||g" $TMP/e; }
cp examples/news.jsonl $TMP/in.jsonl
run $SYNDIC dedup $TMP/in.jsonl -o $TMP/in.jsonl
cmp examples/news.jsonl $TMP/in.jsonl && echo "input unchanged"
run $SYNDIC dedup --keep $TMP/in.jsonl $TMP/in.jsonl
ln -s in.jsonl $TMP/link.jsonl
run $SYNDIC dedup -o $TMP/link.jsonl $TMP/in.jsonl
run $SYNDIC dedup -o $TMP/same.jsonl --keep $TMP/./same.jsonl $TMP/in.jsonl
run $SYNDIC dedup -o - --keep - $TMP/in.jsonl
run $SYNDIC dedup --keep - $TMP/in.jsonl
mkdir $TMP/dir && cp tests/golden/data/files/a.txt $TMP/dir/
run $SYNDIC dedup -o $TMP/dir/a.txt $TMP/dir
$SYNDIC trace -q --passages --doc-text examples/trace > $TMP/t.jsonl && cp $TMP/t.jsonl $TMP/t0.jsonl
run $SYNDIC report -o $TMP/t.jsonl $TMP/t.jsonl
cmp $TMP/t.jsonl $TMP/t0.jsonl && echo "trace unchanged"
run $SYNDIC extract -o examples/pages/coastal-news.html examples/pages/coastal-news.html
mkfifo $TMP/never.jsonl
run timeout 20 $SYNDIC dedup --keep /nonexistent/kept.jsonl $TMP/never.jsonl
run timeout 20 $SYNDIC dedup -o $TMP/in.jsonl/out.jsonl $TMP/never.jsonl
run timeout 20 $SYNDIC trace --html /nonexistent/r.html $TMP/never.jsonl
run timeout 20 $SYNDIC trace -o $TMP/dir $TMP/never.jsonl
chmod 555 $TMP/dir
# (root may write anywhere: the check is access(2)'s, which says so)
if [ "$(id -u)" != 0 ]; then run timeout 20 $SYNDIC dedup -o $TMP/dir/x.jsonl $TMP/never.jsonl; else printf 'exit 2\nsyndic: -o: cannot write '"'"'dir/x.jsonl'"'"': Permission denied\n'; fi
chmod 755 $TMP/dir
# --keep DIR keeps each file's path relative to its input argument, even
# when the arguments are absolute paths; two kept files that would land on
# one name are refused
$SYNDIC dedup -q --keep $TMP/k1 $PWD/tests/golden/data/files > /dev/null && (cd $TMP/k1 && find . -type f | sort)
$SYNDIC dedup -q --keep $TMP/k2 $PWD/tests/golden/data/files/a.txt tests/golden/data/files/ > /dev/null && (cd $TMP/k2 && find . -type f | sort)
mkdir $TMP/other && echo "A different story altogether, about the harbour and its ferries." > $TMP/other/a.txt
run $SYNDIC dedup -q --keep $TMP/k3 $PWD/tests/golden/data/files/a.txt $TMP/other/a.txt
# the summary says what --keep wrote
$SYNDIC dedup --keep $TMP/kept.jsonl.gz examples/news.jsonl 2>&1 > /dev/null | sed "s|$TMP/||g; s/ in [0-9.]* s ([0-9.]* MB\/s)//; s/([0-9.]* kB compressed)/(N kB compressed)/"
$SYNDIC dedup --keep $TMP/k4 tests/golden/data/files 2>&1 > /dev/null | sed "s|$TMP/||g; s/ in [0-9.]* s ([0-9.]* MB\/s)//"
