# A, B (a near copy of A) and B2 (byte-identical to B): B2's representative
# is A, so its similarity is to A (B's own) and it is no exact copy of A
# (its text is B's); in memory, under --memory, and with the summary.
a=$(awk 'BEGIN { srand(9); for (i = 0; i < 80; i++) printf "%sw%d", (i ? " " : ""), int(rand() * 9000) }')
printf '{"id":"A","text":"%s"}\n{"id":"B","text":"%s extra words"}\n{"id":"B2","text":"%s extra words"}\n{"id":"A2","text":"%s"}\n' "$a" "$a" "$a" "$a" > $TMP/copies.jsonl
$SYNDIC dedup $TMP/copies.jsonl 2>&1 | sed 's/ in [0-9.]* s ([0-9.]* MB\/s)//'
$SYNDIC dedup -q --memory 1M --tmpdir $TMP $TMP/copies.jsonl
