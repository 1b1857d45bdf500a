#!/bin/sh
# make demo: syndic's main jobs on the sample corpus in examples/.
# usage: sh examples/demo.sh PATH/TO/syndic
set -e
SYNDIC=${1:-./syndic}
cd "$(dirname "$0")/.."
show() {
  printf '\n$ %s\n' "$*"
  "$@"
}
echo "== Whole documents: which records are copies of each other =="
show "$SYNDIC" dedup -j 2 examples/news.jsonl
if [ -d examples/trace ] && "$SYNDIC" --help | grep -q '^  trace'; then
  echo
  echo "== Passages: one wire story inside five different web pages =="
  show "$SYNDIC" trace -q examples/trace
fi
if [ -d examples/pages ] && "$SYNDIC" --help | grep -q '^  extract'; then
  echo
  echo "== Web pages: the article's own text =="
  show "$SYNDIC" extract examples/pages/coastal-news.html examples/pages/section-front.html
  echo
  echo "== Web pages compared by their articles, not their templates =="
  show "$SYNDIC" dedup examples/pages
fi
if "$SYNDIC" --help | grep -q '^  report'; then
  echo
  echo "== The story report: a web page to read, open build/report.html in a browser =="
  mkdir -p build
  show "$SYNDIC" trace --html build/report.html examples/trace/*.txt examples/pages
fi
if command -v mpirun >/dev/null && "$SYNDIC" --version | grep -q "with MPI"; then
  echo
  echo "== Several processes: the same job under mpirun, the same output =="
  if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
  export OMPI_MCA_rmaps_base_oversubscribe=1
  show mpirun -np 2 "$SYNDIC" dedup -j 1 --share files examples/pages
fi
