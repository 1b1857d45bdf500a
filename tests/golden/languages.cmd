# Copies in scripts written without spaces between words (Thai, Lao, Khmer,
# Myanmar, Chinese, Japanese), in Arabic and in Russian: trace finds the
# paragraph shared by two different pages, and dedup a copy with its first
# ten characters cut off. Russian ё is folded to е: a copy that writes е
# is similar 1. The texts are written for this project
# (tests/golden/data/lang). trace's prose detector judges a paragraph in a
# script its function-word lists do not cover by its length (Thai and Lao
# write no sentence punctuation) and knows the full stops of Khmer (។) and
# Myanmar (။).
export LC_ALL=C.UTF-8
d=$TMP/languages && mkdir -p $d
for l in th lo km my zh ja ar ru; do
  mkdir -p $d/$l
  { echo "Harbour Gazette. Local news from the coast, updated every morning for our readers."; echo; cat tests/golden/data/lang/$l.txt; echo; echo "Subscribe to our newsletter for more stories from the islands and the towns along the shore."; } > $d/$l/a.txt
  { echo "Island Weekly brings you the stories that matter to the island, in print and online since 1998."; echo; cat tests/golden/data/lang/$l.txt; echo; echo "Letters to the editor may be sent by post or left at the ferry office on the quay."; } > $d/$l/b.txt
  printf '%s: trace: ' $l
  $SYNDIC trace -q --no-text $d/$l | grep '"type":"story"' | sed 's/.*"members":\([0-9]*\),"passages":\([0-9]*\).*"copies":.*"spans":\(\[\[[0-9,]*\]\]\).*"spans":\(\[\[[0-9,]*\]\]\).*/\1 copies, \2 passage(s), spans \3 and \4/'
  text=$(cat tests/golden/data/lang/$l.txt)
  near=$(printf '%s' "$text" | sed 's/^.\{10\}//')
  printf '{"id":"%s","text":"%s"}\n{"id":"%s-near","text":"%s"}\n' $l "$text" $l "$near" > $d/$l.jsonl
  [ $l = ru ] && printf '{"id":"%s-e","text":"%s"}\n' $l "$(printf '%s' "$text" | sed 's/ё/е/g; s/Ё/Е/g')" >> $d/$l.jsonl
  printf '%s: dedup: ' $l
  $SYNDIC dedup -q $d/$l.jsonl | tail -n +2 | tr '\n' ' '
  echo
done
