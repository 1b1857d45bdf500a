#!/bin/sh
# Records larger than --memory: BIG_RECORDS records (default 4) of BIG_MB
# megabytes of text each (default 60; generated sentences over a 50,000-word
# vocabulary, kept in bench/out) read by dedup and trace under --memory
# BIG_LIMIT (default 64M). Prints wall and CPU time and peak resident memory
# (GNU time) of each, and BEFORE=path/to/old/syndic runs that build too.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${BIG_RECORDS:-4}
MB=${BIG_MB:-60}
LIMIT=${BIG_LIMIT:-64M}
OUT=bench/out
mkdir -p "$OUT"
corpus=$OUT/big-$N-$MB.jsonl
if ! /usr/bin/env time -f "%e" true 2>/dev/null; then
  SYNDIC_EXTRA_PKGS=time sh scripts/install-deps.sh
fi
[ -f "$corpus" ] || python3 - "$N" "$MB" >"$corpus" <<'PY'
import json, random, sys
n, mb = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(1)
letters = "abcdefghijklmnopqrstuvwxyz"
vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(50000)]
for i in range(n):
    parts, size = [], 0
    while size < mb * 1000000:
        s = " ".join(rng.choice(vocab) for _ in range(15)).capitalize() + ". "
        parts.append(s)
        size += len(s)
    sys.stdout.write(json.dumps({"id": "r%d" % i, "text": "".join(parts)}) + "\n")
PY
echo "== $corpus: $N records of $MB MB of text, --memory $LIMIT"
for prog in ${BEFORE:-} "$BUILD/syndic"; do
  for cmd in dedup trace; do
    /usr/bin/env time -f "%e %U %S %M" -o "$OUT/big-time.txt" \
      "$prog" "$cmd" -q --memory "$LIMIT" "$corpus" -o "$OUT/big-$cmd.jsonl"
    read -r wall user sys kb <"$OUT/big-time.txt"
    echo "$prog $cmd: $wall s wall, $(awk "BEGIN{print $user+$sys}") s CPU, peak RSS $((kb / 1024)) MB"
  done
done
