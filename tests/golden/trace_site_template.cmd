# A site's template on two pages only (menus, a headline list, a note
# about the site, a footer): the two Herald pages share no story; the
# Herald's flood story and Valley News's copy of it are one story. The
# same with the Herald pages squeezed into one line each. With --all-text
# every word may link, so the template makes stories of its own.
d=tests/golden/data/site
$SYNDIC trace -q --no-text $d/herald-floods.txt $d/herald-orchard.txt $d/valleynews-floods.txt
for f in herald-floods herald-orchard; do tr '\n' ' ' < $d/$f.txt > $TMP/$f-squeezed.txt; done
$SYNDIC trace -q --no-text $TMP/herald-floods-squeezed.txt $TMP/herald-orchard-squeezed.txt $d/valleynews-floods.txt | sed "s|$TMP/||g"
$SYNDIC trace -q --no-text --all-text $d/*.txt | grep -c '"type":"story"'
