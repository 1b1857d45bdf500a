$SYNDIC dedup -j 1 --no-progress tests/golden/data/bad.jsonl 2>&1 | sed 's/ in [0-9.]* s ([0-9.]* MB\/s)//'
