# trace: a run stopped by Ctrl-C (SIGINT) while its spill files are open leaves
# nothing in --tmpdir: the files never have names. (A background job of a
# script ignores SIGINT; perl, essential on Debian, restores it.)
mkdir $TMP/tspill
awk 'BEGIN { srand(7); for (i = 0; i < 30000; i++) { s = ""; for (j = 0; j < 60; j++) s = s " w" int(rand() * 50000); printf "{\"id\":\"d%d\",\"text\":\"%s\"}\n", i, s } }' > $TMP/tbig.jsonl
mkfifo $TMP/tin.jsonl
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' $SYNDIC trace -q --memory 1M --tmpdir $TMP/tspill $TMP/tin.jsonl > /dev/null &
pid=$!
exec 3>$TMP/tin.jsonl
cat $TMP/tbig.jsonl >&3
i=0
while [ $i -lt 200 ]; do
  n=$(ls -l /proc/$pid/fd 2>/dev/null | grep -c "$TMP/tspill/.*(deleted)")
  [ "$n" -ge 1 ] && break
  sleep 0.1
  i=$((i + 1))
done
[ "$n" -ge 1 ] && echo "spill files open while running"
echo "names in the directory: $(ls -A $TMP/tspill | wc -l)"
kill -INT $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL $pid 2>/dev/null
wait $pid
echo "exit $?"
exec 3>&-
echo "names in the directory: $(ls -A $TMP/tspill | wc -l)"
