# records whose text is under another name: one message naming the fields
# they have and the option to use; every record still has its error line
i=0
while [ $i -lt 30 ]; do
  printf '{"id":"r%d","content":"text number %d"}\n' $i $i
  i=$((i + 1))
done > $TMP/content.jsonl
$SYNDIC dedup -j 1 --no-progress $TMP/content.jsonl 2>&1 >$TMP/result | sed -e 's/ in [0-9.]* s ([0-9.]* MB\/s)//' -e "s|$TMP/||g"
wc -l < $TMP/result
head -2 $TMP/result | sed "s|$TMP/||g"
$SYNDIC dedup -q --text-field content $TMP/content.jsonl | head -2
