# A usage error is one line saying what is wrong (with the nearest command
# or option for a typo, as git does) and, where it helps, one pointing at
# --help; never the whole help.
for args in "dedupe x" "trase x" "frobnicate" "dedup --treshold 0.5 x" "dedup --treshold=0.5 x" "dedup --th 0.5 x" "dedup --quiet=1 x" "dedup -Z x" "dedup -o" "trace --pasages x" "trace --htlm r.html x" "extract --josnl x" "report --outptu r.html t.jsonl" "align --colour a b" "dedup" "extract" "align a" "report"; do
  $SYNDIC $args > /dev/null 2> $TMP/usage.err
  echo "syndic $args: exit $?, $(wc -l < $TMP/usage.err) line(s)"
  cat $TMP/usage.err
done
