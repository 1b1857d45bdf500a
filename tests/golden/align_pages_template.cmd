# two pages of one site with different stories share only the template:
# no passage (exit 1), and -o writes the answer to a file
$SYNDIC align -o $TMP/a.txt examples/pages/harbour-gazette.html examples/pages/harbour-gazette-bakery.html
echo "exit $?"
cat $TMP/a.txt
