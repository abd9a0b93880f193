"""Spreadsheet cells the portal writes (issue #14 §1): user text goes out as text, never a formula.

openpyxl turns any string that starts with ``=`` into a formula cell, so a unit named
``=HYPERLINK("http://…","点此")`` would become a live link (or worse) in every export. Every
export therefore builds its rows with :func:`append` / :func:`put` (or :func:`cell`), which:

- writes every ``str`` as a text cell (``t="inlineStr"``): Excel, WPS and LibreOffice show it as
  typed and never evaluate it;
- marks text that starts with ``= + - @``, a tab or a carriage return with Excel's own "typed as
  text" flag (``quotePrefix``, what Excel sets when a person types ``'=…``), so that editing the
  cell later keeps it text too. The text itself is left exactly as the user wrote it, so an
  exported ledger re-imports unchanged and "-5" still reads "-5";
- drops the control characters the file format cannot hold (openpyxl would raise on them) and
  cuts text at Excel's 32,767-character limit.

Numbers, dates, ``Decimal`` and ``None`` pass through untouched (they stay numbers); lazy
translations become plain text.
"""

import zipfile
from collections.abc import Iterable
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32767  # Excel's limit for one cell's text


def clean_text(value: str) -> str:
    """``value`` without the characters an .xlsx cannot hold, within Excel's length limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_CHARS]


def is_risky(text: str) -> bool:
    """Text a spreadsheet program could read as a formula if it were not marked as text."""
    return text.startswith(FORMULA_TRIGGERS)


def cell(sheet, value) -> Cell:
    """A cell of ``sheet`` (normal or write-only) holding ``value`` safely, for ``sheet.append``."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return Cell(sheet, row=1, column=1, value=value)
    text = clean_text(value)
    # row and column are placeholders: ``append`` sets them (a write-only sheet needs them set)
    result = Cell(sheet, row=1, column=1)
    result._value = text  # set directly: the ``value`` setter would make "=…" a formula
    result.data_type = "s"
    if is_risky(text):
        result.quotePrefix = True
    return result


def append(sheet, values: Iterable) -> None:
    """``sheet.append(values)`` with every value written by :func:`cell`. Cells passed in already
    built (a styled header cell, say) are kept as they are."""
    sheet.append([v if isinstance(v, Cell) else cell(sheet, v) for v in values])


def put(sheet, row: int, column: int, value) -> Cell:
    """``sheet.cell(row, column, value)`` for a normal (not write-only) sheet, written safely."""
    target = sheet.cell(row=row, column=column)
    source = cell(sheet, value)
    target._value = source._value
    target.data_type = source.data_type
    if source.quotePrefix:
        target.quotePrefix = True
    return target


# --- reading uploads -------------------------------------------------------------------------

MAX_ENTRIES = 200  # an Excel workbook has a dozen parts, a big one a few dozen
MAX_ENTRY_BYTES = 20 * 1024 * 1024  # one unpacked part (a sheet's XML, the shared strings)
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # unpacked ÷ packed, for parts above RATIO_FLOOR; real sheets pack 5–20×
RATIO_FLOOR = 1024 * 1024
MAX_ROW_CELLS = 16384  # Excel's own column limit: a row with more is not a spreadsheet row
MAX_CELLS = 250_000  # every sheet together (5,000 ledger rows use about 100,000); openpyxl reads ~50,000 a second
MAX_STRINGS = 500_000  # entries of the shared-strings table
SCAN_CHUNK = 64 * 1024


def _too_big() -> ValidationError:
    return ValidationError(
        _("该 Excel 文件解压后的内容过大，已拒绝读取。请删除多余的工作表和内容，或分批导入。"),
        code="file_too_big",
    )


def _corrupt() -> ValidationError:
    return ValidationError(_("无法读取该 Excel 文件，请确认它是未损坏的 .xlsx 文件。"), code="file_corrupt")


class _Refused(Exception):
    pass


class _Scan:
    """Counts what openpyxl would hold in memory at once, while expat streams a part: the cells
    of one row (openpyxl keeps a whole row), all cells, shared strings. No tree is built."""

    def __init__(self):
        self.cells = self.row_cells = self.strings = 0
        self.in_sheet = False

    def start(self, name, _attributes):
        local = name.rpartition("}")[2]
        if local == "c" and self.in_sheet:
            self.cells += 1
            self.row_cells += 1
            if self.row_cells > MAX_ROW_CELLS or self.cells > MAX_CELLS:
                raise _Refused
        elif local == "row" and self.in_sheet:
            self.row_cells = 0
        elif local == "si":
            self.strings += 1
            if self.strings > MAX_STRINGS:
                raise _Refused

    @staticmethod
    def doctype(*_args):
        raise _Refused  # no part of an .xlsx has a DTD; one here can only be an entity bomb

    def feed(self, source, *, sheet: bool) -> None:
        self.in_sheet = sheet
        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = self.start
        parser.StartDoctypeDeclHandler = self.doctype
        while chunk := source.read(SCAN_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def check_package(file) -> None:
    """Refuse an .xlsx that would cost more to read than any real upload (issue #14 §2), before
    openpyxl opens it.

    First the zip's directory: the number of parts, each part's declared unpacked size and its
    packing ratio. The declared sizes can be trusted: Python's zip reader stops at the declared
    size and fails the checksum of a part that holds more. Then every XML part is streamed through
    expat (nothing kept): no DTD, no row with more cells than Excel allows, no more cells or
    shared strings in all than :data:`MAX_CELLS` / :data:`MAX_STRINGS`. ``file`` is left at its
    start. A damaged zip is refused as such.
    """
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise _Refused
            total = 0
            for entry in entries:
                total += entry.file_size
                if entry.file_size > MAX_ENTRY_BYTES or total > MAX_UNPACKED_BYTES:
                    raise _Refused
                if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                    raise _Refused
            scan = _Scan()
            for entry in entries:
                if entry.filename.endswith((".xml", ".rels")):
                    with archive.open(entry) as source:
                        scan.feed(source, sheet=entry.filename.startswith("xl/worksheets/"))
    except _Refused:
        raise _too_big() from None
    except (zipfile.BadZipFile, expat.ExpatError, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise _corrupt() from exc
    finally:
        file.seek(0)
