import csv
import io

from fs_common.spreadsheet import inert, spreadsheet_csv


def test_cells_a_spreadsheet_would_evaluate_become_text():
    for hostile in ('=HYPERLINK("https://x.example","Voir")', "+SUM(1;1)", "-1+2", "@A1", "\tx", "\rx"):
        assert inert(hostile) == "'" + hostile
    assert inert("Camille Martin") == "Camille Martin"
    assert inert("06 12 34 56 78") == "06 12 34 56 78"
    assert inert(-3) == "-3" and inert(None) == ""


def test_a_french_spreadsheet_csv_round_trips_as_inert_text():
    text = spreadsheet_csv(["nom", "note"], [["=1+1", "a;b"], ["Zoé", '"x"']])
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows == [["nom", "note"], ["'=1+1", "a;b"], ["Zoé", '"x"']]
