$SYNDIC extract -q --markdown --links --comments tests/golden/data/pages/allotment.html
