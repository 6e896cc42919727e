"""Reading the file: XLSX or CSV bytes into numbered rows of text, or a `FileProblem` saying why not."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from nap_tracker.spreadsheets import unsafe_cell

MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


class FileProblem(Exception):
    """The file as a whole cannot be read: too big, not a spreadsheet, no header row."""


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()[:10]
    # An export writes text that looks like a formula with a leading apostrophe; read it back as written.
    return unsafe_cell(str(value).replace("\r\n", "\n").replace("\r", "\n").strip())


def _size_label(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def read_table(*, filename: str, content: bytes) -> list[tuple[int, list[str]]]:
    """(row number as the spreadsheet shows it, cells as text) for every row. Raises FileProblem."""
    limit = settings.IMPORT_MAX_BYTES
    if len(content) > limit:
        raise FileProblem(
            _(
                "The file is %(size)s; the largest file accepted is %(limit)s. Remove other sheets, pictures "
                "and formatting, or save the table as CSV."
            )
            % {"size": _size_label(len(content)), "limit": _size_label(limit)}
        )
    if not content.strip():
        raise FileProblem(_("The file is empty. Choose the spreadsheet with the plan's table."))
    if content.startswith(OLE_MAGIC):
        raise FileProblem(
            _("This is an old Excel 97–2003 file (.xls). Open it in Excel and save it as .xlsx, then upload that.")
        )
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem(_("The file is named .xlsx but is not an Excel workbook. Save it again from Excel."))
    if b"\x00" in content[:4096]:
        raise FileProblem(_("The file is neither an Excel workbook (.xlsx) nor a CSV text file."))
    return _read_csv(content)


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise FileProblem(
            _("The file could not be opened as an Excel workbook (.xlsx). Open it in Excel and save it again.")
        ) from None
    sheet = workbook.worksheets[0]
    if sheet.max_row > MAX_ROWS:
        raise FileProblem(
            _("The first sheet has %(n)s rows; at most %(max)s are read. Remove empty or extra rows.")
            % {"n": sheet.max_row, "max": MAX_ROWS}
        )
    grid = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    # Merged cells hold their value in the top-left cell only. Where a merge runs down several
    # rows (one executing body or period for a group of measures, an area down the side), every
    # row it covers takes the value. Where it runs across one row (an area heading over the
    # whole table), the value stays in its first cell: the row is a heading, not a measure.
    for merged in sheet.merged_cells.ranges:
        if merged.max_row == merged.min_row:
            continue
        value = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(grid) else ""
        for row_index in range(merged.min_row, merged.max_row + 1):
            if row_index - 1 < len(grid):
                grid[row_index - 1][merged.min_col - 1] = value
    workbook.close()
    return [(index, row) for index, row in enumerate(grid, start=1)]


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    # Excel writes UTF-8 with a byte-order mark; older Windows machines in the region write Windows-1251.
    if content.startswith(b"\xef\xbb\xbf"):
        text = content[3:].decode("utf-8", errors="strict")
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1251")
            except UnicodeDecodeError:
                raise FileProblem(
                    _("The CSV file's text encoding is not UTF-8 or Windows-1251. Save it as “CSV UTF-8” from Excel.")
                ) from None
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise FileProblem(_("The CSV file cannot be read: %(error)s.") % {"error": error}) from None
    if len(rows) > MAX_ROWS:
        raise FileProblem(_("The file has %(n)s rows; at most %(max)s are read.") % {"n": len(rows), "max": MAX_ROWS})
    return [(index, [_cell_text(cell) for cell in row]) for index, row in enumerate(rows, start=1)]
