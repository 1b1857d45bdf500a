# Progress a person can plan with: bytes and records read out of the total
# (the inputs' sizes), the rates and an ETA. On a terminal (here a
# pseudo-terminal made by script(1)) one line redrawn in place; with stderr
# in a file, plain lines without carriage returns or escape codes. Rates
# and times vary from run to run, so they are masked.
d=$TMP/progress && mkdir -p $d
mask() { sed 's/ in [0-9.]* s ([0-9.]* MB\/s)//; s/[0-9.]* MB\/s/R MB\/s/g; s/[0-9.k]* records\/s/R records\/s/g; s/ETA [0-9:?]*/ETA T/g; s/[0-9]*:[0-9][0-9] so far/T so far/g; s/records\/s; [0-9]*:[0-9][0-9]$/records\/s; T/' | awk '{ k = $2 } !seen[k]++'; }
script -qec "$SYNDIC dedup --progress -j 1 -o $d/out.jsonl examples/news.jsonl" /dev/null > $d/tty.log
echo "exit $?"
printf 'redraws in place (\\r\\033[K): %s\n' "$(grep -o "$(printf '\r\033\\[K')" $d/tty.log | wc -l | awk '{print ($1 >= 5) ? "yes" : "no"}')"
tr '\r' '\n' < $d/tty.log | sed "s/$(printf '\033')\[K//g" | grep -v '^$' | mask
$SYNDIC dedup --progress -j 1 -o $d/out2.jsonl examples/news.jsonl 2> $d/plain.log
echo "exit $?"
printf 'carriage returns: %s, escapes: %s\n' "$(tr -cd '\r' < $d/plain.log | wc -c)" "$(tr -cd '\033' < $d/plain.log | wc -c)"
mask < $d/plain.log
# a pipe has no size: no total, no ETA
cat examples/news.jsonl | $SYNDIC trace --progress -j 1 -o $d/t.jsonl - 2>&1 | mask | grep read
