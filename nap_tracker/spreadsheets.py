"""Text written to a CSV or XLSX file that people open in a spreadsheet program."""

import re

# Control characters that XLSX cannot hold (Word's manual line break \\x0b among them).
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; characters XLSX refuses are dropped."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS.sub("", value)
    if value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def unsafe_cell(value):
    """The text as written before `safe_cell`: what an import reads back from an export."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value
