"""CSV files that people open in Excel or LibreOffice: every cell that a spreadsheet would read as a
formula is made inert (OWASP, "CSV injection": a leading ``'`` before ``=``, ``+``, ``-``, ``@``, tab or
carriage return), in every export, so that a booking named ``=HYPERLINK(…)`` stays a name."""

import csv
import io
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> str:
    """The cell as text, prefixed with ``'`` when a spreadsheet would evaluate it. Numbers we write
    ourselves (ints, floats) are left as they are: a negative count is not a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`inert`."""

    def __init__(self, out: TextIO, **fmt: Any) -> None:
        self._writer = csv.writer(out, **fmt)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([inert(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(out: TextIO, *, delimiter: str = ",", lineterminator: str = "\r\n") -> SafeWriter:
    return SafeWriter(out, delimiter=delimiter, lineterminator=lineterminator)


def spreadsheet_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """A French spreadsheet's CSV: a BOM, ``;`` between cells, CRLF, formulas neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = safe_writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
