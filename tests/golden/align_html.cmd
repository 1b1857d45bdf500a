# align reads what trace reads: two HTML pages are compared by their
# article text (the ferry story as two sites printed it), one passage
$SYNDIC align --no-color examples/pages/coastal-news.html examples/pages/harbour-gazette.html
