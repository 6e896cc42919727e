"""Small spreadsheets for the import tests, built in memory."""

import csv
import io

import openpyxl

OFFICIAL_HEADER = ["No.", "Measure", "Executing bodies", "Implementation period"]


def xlsx(rows, *, merges=(), title_rows=()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, encoding="utf-8", delimiter=",", bom=False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data
