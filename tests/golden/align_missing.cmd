# a missing input is named once, not twice
$SYNDIC align nope.txt examples/trace/wire-original.txt 2>&1
echo "exit $?"
