# A run stopped by SIGTERM or SIGINT (Ctrl-C) while it writes leaves no
# half-written output where the result is expected: the outputs are written
# under hidden temporary names and renamed into place only when complete,
# and the temporaries are removed when the program is stopped. An output
# that existed before the run is left as it was. (A background job of a
# script ignores SIGINT; perl, essential on Debian, restores it.)
TMP=$TMP/output-interrupt && mkdir -p $TMP
awk 'BEGIN { srand(7); for (i = 0; i < 30000; i++) { s = ""; for (j = 0; j < 60; j++) s = s " w" int(rand() * 50000); printf "{\"id\":\"d%d\",\"text\":\"%s\"}\n", i, s } }' > $TMP/big.jsonl
mkdir $TMP/res
echo "the previous results" > $TMP/res/old.jsonl
for sig in TERM INT; do
  for cmd in "dedup -o $TMP/res/new.jsonl --keep $TMP/res/kept.jsonl.zst" "dedup -o $TMP/res/old.jsonl" "trace -o $TMP/res/t.jsonl --html $TMP/res/r.html"; do
    rm -f $TMP/in.jsonl && mkfifo $TMP/in.jsonl
    perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' $SYNDIC $cmd -q $TMP/in.jsonl &
    pid=$!
    exec 3<>$TMP/in.jsonl
    head -c 1000000 $TMP/big.jsonl >&3
    # wait until the run has its temporaries open
    i=0
    while [ $i -lt 200 ] && [ -z "$(ls -A $TMP/res | grep syndic-)" ]; do sleep 0.05; i=$((i + 1)); done
    during=$(ls -A $TMP/res | grep -c syndic-)
    kill -$sig $pid
    wait $pid
    rc=$?
    exec 3>&-
    echo "${cmd%% *} stopped by SIG$sig (exit $rc): $during temporaries while running; after: $(ls -A $TMP/res | tr '\n' ' ')"
  done
done
cat $TMP/res/old.jsonl
