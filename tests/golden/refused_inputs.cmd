# files that are not text are refused naming what they look like; a FIFO in
# a walked directory is refused (never opened: the run does not block); a
# missing input is an error record and an error message; exit 1
mkdir -p $TMP/in
printf '\211PNG\r\n\032\n\0\0\0\rIHDR' > $TMP/in/logo.png
printf 'PAR1\025\004\025\000' > $TMP/in/table.parquet
printf '!<arch>\nlibx.o/         0           0     0     644     8         `\n\177ELF\002\001\001\0' > $TMP/in/libx.a
printf '%%PDF-1.7\n%%\342\343\317\323\n' > $TMP/in/paper.pdf
cp tests/golden/data/formats/lines.json $TMP/in/lines.json
mkfifo $TMP/in/pipe
timeout 60 $SYNDIC dedup -j 1 --no-progress $TMP/in $TMP/missing.jsonl >$TMP/result 2>&1
echo "exit $?"
sed -e 's/ in [0-9.]* s ([0-9.]* MB\/s)//' -e "s|$TMP/||g" $TMP/result
