"""Import an edition's measures from a spreadsheet shaped like the official table, and export them back.

The official annex has four columns — No., measure, executing bodies, implementation period —
and a plan may add area, recommended institutions, partners, expected result, indicator,
financing and texts in other languages. Three steps, each pure of side effects but the last:

- `read_table()` turns XLSX or CSV bytes into numbered rows of text (or raises `FileProblem`);
- `import_preview()` reads the rows against the edition and says, row by row, what would happen
  (new / changed / unchanged / error) and why; it writes nothing;
- `import_apply()` does it, in one transaction, only when the whole file is valid.

`export_edition()` writes the columns `import_preview()` reads, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
import warnings
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures.models import Area, Edition, Measure, MeasureAgency, Pillar
from nap_tracker.models import Agency
from nap_tracker.spreadsheets import safe_cell, unsafe_cell

CONTENT_LANGUAGES = ("en", "az", "ru")
MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # unique: "number", "title_az", "executing", …
    concept: str  # "number", "title", "executing", …
    language: str | None  # for texts kept in three languages
    header: str  # the header the export and the template write
    label: object  # how messages name the column (translatable)
    help: object  # what the template's second sheet says about it
    example: str = ""


def _text_columns(concept, field_name, header, label, help_text, example):
    columns = []
    for language in CONTENT_LANGUAGES:
        suffix = "" if language == "en" else f" ({language})"
        columns.append(
            Column(
                key=f"{field_name}_{language}",
                concept=concept,
                language=language,
                header=header + suffix,
                label=label if language == "en" else f"{label} ({language})",
                help=help_text,
                example=example if language == "en" else "",
            )
        )
    return columns


LANGUAGE_NAMES = {"en": gettext_lazy("English"), "az": gettext_lazy("Azerbaijani"), "ru": gettext_lazy("Russian")}

COLUMNS: list[Column] = [
    Column(
        "number",
        "number",
        None,
        "No.",
        gettext_lazy("No."),
        gettext_lazy(
            "Required. The measure's number in the plan, e.g. 4.1.1. Measures are matched by it on re-import."
        ),
        "4.1.1",
    ),
    Column(
        "area",
        "area",
        None,
        "Area",
        gettext_lazy("area"),
        gettext_lazy(
            "Optional. The area's number and title, e.g. “4.1 Improving the legal base”. Without it, heading rows "
            "(“4.1 …” across the table) or the number's first part decide the area."
        ),
        "4.1 Improving the legal base and institutional mechanisms",
    ),
    Column(
        "pillar",
        "pillar",
        None,
        "Pillar",
        gettext_lazy("pillar"),
        gettext_lazy(
            "Optional; used only when the file adds a new area: prevention, protection, prosecution, partnership "
            "or coordination."
        ),
        "coordination",
    ),
    *_text_columns(
        "title",
        "title",
        "Measure",
        gettext_lazy("measure"),
        gettext_lazy("Required in at least one language. The measure as the plan words it."),
        "Prepare proposals to bring the law in line with the Council of Europe Convention",
    ),
    Column(
        "executing",
        "executing",
        None,
        "Executing bodies",
        gettext_lazy("executing bodies"),
        gettext_lazy(
            "Required (or recommended institutions). Agencies by code or by name in any language, separated by “;” "
            "or new lines. Mark the lead body with * at the end."
        ),
        "Cabinet of Ministers*; Ministry of Justice",
    ),
    Column(
        "recommended",
        "recommended",
        None,
        "Recommended institutions",
        gettext_lazy("recommended institutions"),
        gettext_lazy("Optional. Bodies outside the executive (courts, prosecution, ombudsman), written as above."),
        "Prosecutor General's Office",
    ),
    Column(
        "partners",
        "partners",
        None,
        "Partners",
        gettext_lazy("partners"),
        gettext_lazy("Optional. NGOs and international organisations that take part, written as above."),
        "IOM; Clean World",
    ),
    *_text_columns(
        "period",
        "period_text",
        "Implementation period",
        gettext_lazy("implementation period"),
        gettext_lazy(
            "Required. Years as the plan words them: 2020–2022, 2021, “2020–2024, annually”, or “permanent” "
            "(the plan's whole term). Kept as written; start and deadline are read from it."
        ),
        "2020–2022",
    ),
    *_text_columns(
        "expected_result",
        "expected_result",
        "Expected result",
        gettext_lazy("expected result"),
        gettext_lazy("Optional."),
        "",
    ),
    *_text_columns("indicators", "indicators", "Indicator", gettext_lazy("indicator"), gettext_lazy("Optional."), ""),
    *_text_columns(
        "financing",
        "financing_source",
        "Financing",
        gettext_lazy("financing"),
        gettext_lazy("Optional. Source of financing."),
        "State budget",
    ),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
TEXT_CONCEPTS = {"title", "period", "expected_result", "indicators", "financing"}
PART_FOR_CONCEPT = {
    "executing": MeasureAgency.Part.EXECUTING,
    "recommended": MeasureAgency.Part.RECOMMENDED,
    "partners": MeasureAgency.Part.PARTNER,
}
MAX_LENGTHS = {"period_text": 200, "financing_source": 300}

# Header words people write, normalised (see `normalize`). A language after the words —
# "Measure (az)", "Tədbirin adı – ru" — names the language of a text column.
HEADER_WORDS: dict[str, dict[str | None, list[str]]] = {
    "number": {
        None: [
            "no",
            "no.",
            "nº",
            "№",
            "n",
            "#",
            "number",
            "measure number",
            "nömrə",
            "s/s",
            "s/n",
            "sıra",
            "№ п/п",
            "номер",
        ]
    },
    "area": {
        "en": ["area", "section", "chapter", "direction"],
        "az": ["sahə", "bölmə", "istiqamət", "fəsil"],
        "ru": ["раздел", "направление", "область"],
    },
    "pillar": {None: ["pillar", "4p", "pillar (4p)"]},
    "title": {
        "en": [
            "measure",
            "measures",
            "measure title",
            "title",
            "activity",
            "activities",
            "action",
            "actions",
            "name of the measure",
        ],
        "az": ["tədbirin adı", "tədbir", "tədbirlər", "tədbirlərin adı"],
        "ru": ["мероприятие", "мероприятия", "наименование мероприятия", "наименование мероприятий"],
    },
    "executing": {
        None: [
            "executing bodies",
            "executing body",
            "executing agencies",
            "executing agency",
            "executors",
            "implementing bodies",
            "implementing agencies",
            "responsible bodies",
            "responsible",
            "responsible agencies",
            "icraçı orqanlar",
            "icraçı orqan",
            "icraçılar",
            "icraçı",
            "məsul icraçılar",
            "исполнители",
            "исполнительные органы",
            "ответственные исполнители",
            "исполнитель",
        ]
    },
    "recommended": {
        None: [
            "recommended institutions",
            "recommended institution",
            "recommended bodies",
            "recommended",
            "tövsiyə olunan qurumlar",
            "tövsiyə olunan orqanlar",
            "tövsiyə olunur",
            "рекомендуемые учреждения",
            "рекомендуемые органы",
            "рекомендуется",
        ]
    },
    "partners": {
        None: [
            "partners",
            "partner",
            "partner organisations",
            "partner organizations",
            "tərəfdaşlar",
            "партнеры",
            "партнёры",
        ]
    },
    "period": {
        "en": [
            "implementation period",
            "implementation period (years)",
            "period",
            "deadline",
            "timeframe",
            "time frame",
            "years",
            "term",
        ],
        "az": [
            "icra müddəti",
            "icra müddəti (illər)",
            "icra müddəti, illər",
            "icra müddəti (il)",
            "icra ili",
            "müddət",
        ],
        "ru": [
            "срок исполнения",
            "сроки исполнения",
            "срок выполнения",
            "сроки выполнения",
            "срок исполнения (годы)",
            "срок",
        ],
    },
    "expected_result": {
        "en": ["expected result", "expected results", "expected outcome", "result"],
        "az": ["gözlənilən nəticə", "gözlənilən nəticələr"],
        "ru": ["ожидаемый результат", "ожидаемые результаты"],
    },
    "indicators": {
        "en": ["indicator", "indicators", "performance indicator", "performance indicators"],
        "az": ["göstərici", "göstəricilər", "indikator", "indikatorlar"],
        "ru": ["индикатор", "индикаторы", "показатель", "показатели"],
    },
    "financing": {
        "en": ["financing", "financing source", "source of financing", "funding", "funding source", "budget"],
        "az": ["maliyyələşmə", "maliyyələşmə mənbəyi", "maliyyə mənbəyi"],
        "ru": ["финансирование", "источник финансирования", "источники финансирования"],
    },
}
LANGUAGE_WORDS = {
    "en": "en", "eng": "en", "english": "en", "ingilis": "en", "английский": "en",
    "az": "az", "aze": "az", "azerbaijani": "az", "azərbaycanca": "az", "azərbaycan": "az", "азербайджанский": "az",
    "ru": "ru", "rus": "ru", "russian": "ru", "rusca": "ru", "русский": "ru",
}  # fmt: skip
LANGUAGE_SUFFIX = re.compile(
    r"^(?P<base>.*?)[\s\-–—_/,]*[(\[]?\s*(?P<lang>" + "|".join(LANGUAGE_WORDS) + r")\s*[)\]]?$"
)

# Words for "the plan's whole term" in the implementation period column.
PERMANENT_WORDS = [
    "permanent", "permanently", "continuous", "continuously", "ongoing", "constantly", "regularly", "annually",
    "every year", "throughout", "daimi", "mütəmadi", "müntəzəm", "davamlı", "hər il", "ildə bir",
    "постоянно", "на постоянной основе", "ежегодно", "регулярно", "в течение",
]  # fmt: skip

PILLAR_WORDS = {
    "prevention": Pillar.PREVENTION, "profilaktika": Pillar.PREVENTION, "qarşısının alınması": Pillar.PREVENTION,
    "профилактика": Pillar.PREVENTION, "предупреждение": Pillar.PREVENTION,
    "protection": Pillar.PROTECTION, "müdafiə": Pillar.PROTECTION, "защита": Pillar.PROTECTION,
    "prosecution": Pillar.PROSECUTION, "təqib": Pillar.PROSECUTION, "преследование": Pillar.PROSECUTION,
    "partnership": Pillar.PARTNERSHIP, "tərəfdaşlıq": Pillar.PARTNERSHIP, "партнерство": Pillar.PARTNERSHIP,
    "coordination": Pillar.COORDINATION, "coordination and monitoring": Pillar.COORDINATION,
    "monitoring": Pillar.COORDINATION, "koordinasiya": Pillar.COORDINATION, "координация": Pillar.COORDINATION,
}  # fmt: skip


def normalize(text) -> str:
    """Forgiving form for matching: case, spacing, quotes, dashes and the Azerbaijani dotted/dotless i."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = text.replace("İ", "i").replace("I", "i").replace("ı", "i")
    text = text.casefold().replace("\u0307", "")
    text = re.sub(r"[\"'“”„«»‘’`]", "", text)
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    return re.sub(r"\s+", " ", text).strip(" .,;:*")


def _build_header_index() -> dict[str, tuple[str, str | None]]:
    index = {}
    for concept, by_language in HEADER_WORDS.items():
        for language, words in by_language.items():
            for word in words:
                index[normalize(word)] = (concept, language)
    return index


HEADER_INDEX = _build_header_index()


def match_header(text: str) -> Column | None:
    """The column a header names, or None. 'Tədbirin adı' → measure (az); 'Measure (RU)' → measure (ru)."""
    words = normalize(text)
    if not words:
        return None
    language = None
    found = HEADER_INDEX.get(words)
    if not found and (suffix := LANGUAGE_SUFFIX.match(words)):
        base = normalize(suffix["base"])
        found = HEADER_INDEX.get(base) or HEADER_INDEX.get(normalize(re.sub(r"\(.*?\)", "", base)))
        language = LANGUAGE_WORDS[suffix["lang"]] if found else None
    if not found:
        # "Implementation period (years)", "İcra müddəti (illər)"
        found = HEADER_INDEX.get(normalize(re.sub(r"\(.*?\)", "", words)))
    if not found:
        return None
    concept, default_language = found
    if concept in TEXT_CONCEPTS or concept == "area":
        language = language or default_language or "en"
        if concept == "area":
            return COLUMNS_BY_KEY["area"]
        key = next(c.key for c in COLUMNS if c.concept == concept and c.language == language)
        return COLUMNS_BY_KEY[key]
    return next(c for c in COLUMNS if c.concept == concept)


def _area_language(text: str) -> str:
    found = HEADER_INDEX.get(normalize(text))
    return (found[1] if found and found[1] else None) or "en"


# --- Problems and outcomes ----------------------------------------------------------------


class FileProblem(Exception):
    """The file as a whole cannot be read: too big, not a spreadsheet, no header row."""


@dataclass
class Problem:
    message: str
    row: int | None = None
    column: str = ""

    def __str__(self):
        if self.row and self.column:
            return _("row %(row)s, %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


class Action:
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"
    HEADING = "heading"

    LABELS = {
        NEW: gettext_lazy("new"),
        CHANGED: gettext_lazy("changed"),
        UNCHANGED: gettext_lazy("unchanged"),
        ERROR: gettext_lazy("error"),
        HEADING: gettext_lazy("area heading"),
    }


@dataclass
class ParsedMeasure:
    number: str
    area_code: str = ""
    area_explicit: bool = False
    values: dict[str, str] = field(default_factory=dict)  # model field → text, for the columns in the file
    period: tuple[date, date] | None = None
    period_fields: list[str] = field(default_factory=list)
    assignments: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)  # part → [(agency id, lead)]


@dataclass
class RowOutcome:
    row: int
    action: str
    number: str = ""
    title: str = ""
    area: str = ""
    changes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    parsed: ParsedMeasure | None = None
    measure_id: int | None = None

    @property
    def action_label(self):
        return Action.LABELS[self.action]


@dataclass
class NewArea:
    code: str
    title: str
    language: str
    pillar: str
    pillar_given: bool
    row: int


@dataclass
class ImportPreview:
    edition: Edition
    filename: str
    rows: list[RowOutcome] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    new_areas: dict[str, NewArea] = field(default_factory=dict)
    columns: list[Column] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [problem for row in self.rows for problem in row.problems]

    @property
    def is_valid(self) -> bool:
        return not self.problems and any(row.parsed for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in (Action.NEW, Action.CHANGED, Action.UNCHANGED, Action.ERROR)}


class ImportInvalid(Exception):
    """Raised by `import_apply` when the file has problems; nothing was written."""

    def __init__(self, preview: ImportPreview):
        super().__init__(_("The file has %(n)s problems; nothing was imported.") % {"n": len(preview.problems)})
        self.preview = preview


# --- Reading the file ---------------------------------------------------------------------


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


# --- Agencies -----------------------------------------------------------------------------


class AgencyIndex:
    """Agencies by code and by name in every language, normalised. One query."""

    def __init__(self):
        self.by_key: dict[str, set[int]] = defaultdict(set)
        self.display: dict[str, str] = {}
        self.agencies: dict[int, Agency] = {}
        for agency in Agency.objects.filter(active=True):
            self.agencies[agency.pk] = agency
            for text in (agency.code, agency.name_en, agency.name_az, agency.name_ru):
                if text and text.strip():
                    key = normalize(text)
                    self.by_key[key].add(agency.pk)
                    self.display.setdefault(key, text.strip())

    def find(self, text: str) -> set[int]:
        return self.by_key.get(normalize(text), set())

    def suggestion(self, text: str) -> str | None:
        close = difflib.get_close_matches(normalize(text), list(self.by_key), n=1, cutoff=0.75)
        return self.display[close[0]] if close else None

    def label(self, agency_id: int) -> str:
        agency = self.agencies[agency_id]
        return f"{agency.name_en or agency.name_az or agency.name_ru} ({agency.code})"


LEAD_MARK = re.compile(r"\s*(\*|\((lead|aparıcı|головной)\))\s*$", re.IGNORECASE)
BULLET = re.compile(r"^\s*([-•·–]|\d+[.)])\s+")


def parse_agencies(text: str, index: AgencyIndex) -> tuple[list[tuple[int, bool]], list[str]]:
    """'Cabinet of Ministers*; Ministry of Justice' → ([(id, lead), …], [error messages])."""
    found: list[tuple[int, bool]] = []
    errors: list[str] = []
    for piece in re.split(r"[;\n]+", text):
        piece = BULLET.sub("", piece).strip()
        if not piece:
            continue
        # A name may hold a comma ("Main Department …, Ministry of Internal Affairs"), and a cell
        # may list bodies with commas: take the longest run of comma-separated words that names one.
        tokens = piece.split(",")
        start = 0
        while start < len(tokens):
            for end in range(len(tokens), start, -1):
                candidate = ",".join(tokens[start:end]).strip()
                is_lead = bool(LEAD_MARK.search(candidate))
                matches = index.find(LEAD_MARK.sub("", candidate))
                if matches:
                    break
            else:
                end = start + 1
                candidate = tokens[start].strip()
                is_lead = False
                matches = set()
            name = LEAD_MARK.sub("", candidate).strip()
            if not name:
                pass
            elif len(matches) == 1:
                found.append((next(iter(matches)), is_lead))
            elif len(matches) > 1:
                names = ", ".join(sorted(index.label(pk) for pk in matches))
                errors.append(
                    _("“%(name)s” could be any of %(names)s — write the agency's code instead.")
                    % {"name": name, "names": names}
                )
            else:
                suggestion = index.suggestion(name)
                if suggestion:
                    errors.append(
                        _("unknown agency “%(name)s” — did you mean “%(suggestion)s”?")
                        % {"name": name, "suggestion": suggestion}
                    )
                else:
                    errors.append(
                        _(
                            "unknown agency “%(name)s” — write its code or its name as under Agencies, or add the "
                            "agency there first."
                        )
                        % {"name": name}
                    )
            start = end
    return found, errors


# --- Implementation period ----------------------------------------------------------------

YEAR_RANGE = re.compile(r"(?<!\d)(\d{4})\s*-\s*(\d{4}|\d{2})(?!\d)")
YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2}|21\d{2})(?!\d)")


class PeriodProblem(ValueError):
    pass


def parse_period(text: str, edition: Edition) -> tuple[date, date]:
    """The start and deadline an implementation period's wording stands for, within the edition's years.

    "2020–2022" → 1 Jan 2020 – 31 Dec 2022; "2021" → the year; "2020–2024, annually" → the range;
    "permanent", "daimi", "постоянно" → the plan's whole term. A plan approved in its first year
    starts on its approval date, not on 1 January.
    """
    words = normalize(text)
    first, last = edition.start_year, edition.end_year
    years = []
    for match in YEAR_RANGE.finditer(words):
        start_year = int(match[1])
        end_year = int(match[2]) if len(match[2]) == 4 else (start_year // 100) * 100 + int(match[2])
        years += [start_year, end_year]
        if end_year < start_year:
            raise PeriodProblem(
                _("“%(text)s” ends before it starts — write the earlier year first, e.g. %(a)s–%(b)s.")
                % {"text": text, "a": end_year, "b": start_year}
            )
    years += [int(year) for year in YEAR.findall(YEAR_RANGE.sub(" ", words))]
    if years:
        start_year, end_year = min(years), max(years)
    elif any(normalize(word) in words for word in PERMANENT_WORDS):
        start_year, end_year = first, last
    else:
        raise PeriodProblem(
            _("cannot read “%(text)s” — write years such as 2020–2022 or 2021, or “permanent” for the whole plan.")
            % {"text": text}
        )
    if start_year < first or end_year > last:
        raise PeriodProblem(
            _("“%(text)s” lies outside the plan's years %(first)s–%(last)s — correct the years.")
            % {"text": text, "first": first, "last": last}
        )
    start = date(start_year, 1, 1)
    if edition.approved_on and edition.approved_on.year == start_year:
        start = edition.approved_on
    return start, date(end_year, 12, 31)


# --- Preview ------------------------------------------------------------------------------

NUMBER = re.compile(r"^\d+(\.\d+)*[a-z]?$", re.IGNORECASE)  # 4.1.1, 13.2.3, 4.1.1a
HEADING = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s+(\S.*)$", re.DOTALL)
FIELD_LABELS = {column.key: column.label for column in COLUMNS}


def _clean_number(text: str) -> str:
    return re.sub(r"\s+", "", text).rstrip(".")


def _find_header(rows) -> tuple[int, dict[int, Column], list[str]]:
    """The header row: among the first rows, the one naming the most known columns (at least two)."""
    best = (0, -1, {}, [])
    for position, (_number, cells) in enumerate(rows[:20]):
        mapping = {}
        for index, cell in enumerate(cells):
            if column := match_header(cell):
                mapping.setdefault(index, column)
        if len(mapping) > best[0] or (best[0] == 0 and len(mapping) >= 2):
            best = (len(mapping), position, mapping, cells)
    if best[0] < 2:
        raise FileProblem(
            _(
                "No header row found. The first rows must name the columns: No., Measure, Executing bodies, "
                "Implementation period (in English, Azerbaijani or Russian). Download the template to see the layout."
            )
        )
    return best[1], best[2], best[3]


def _is_column_numbering(cells: list[str]) -> bool:
    """The official annex numbers its columns 1, 2, 3, 4 under the header."""
    filled = [cell for cell in cells if cell]
    return len(filled) >= 2 and filled == [str(n) for n in range(1, len(filled) + 1)]


def import_preview(*, edition: Edition, filename: str, content: bytes) -> ImportPreview:
    """What importing the file would do, row by row. Writes nothing. A fixed number of queries."""
    preview = ImportPreview(edition=edition, filename=filename)
    try:
        rows = read_table(filename=filename, content=content)
        header_position, mapping, header_cells = _find_header(rows)
    except FileProblem as problem:
        preview.file_problems.append(Problem(str(problem)))
        return preview

    seen_keys: dict[str, int] = {}
    for index, column in sorted(mapping.items()):
        if column.key in seen_keys:
            preview.file_problems.append(
                Problem(
                    _(
                        "Columns %(a)s and %(b)s are both read as “%(label)s”. Rename or remove one of them "
                        "(texts in other languages: add (az) or (ru) to the header)."
                    )
                    % {"a": _letter(seen_keys[column.key]), "b": _letter(index), "label": column.header}
                )
            )
        seen_keys[column.key] = index
    for index, cell in enumerate(header_cells):
        if cell and index not in mapping:
            preview.notices.append(
                _("Column %(letter)s “%(header)s” is not one the import reads; it is left out.")
                % {"letter": _letter(index), "header": cell}
            )
    concepts = {column.concept for column in mapping.values()}
    missing = []
    if "number" not in concepts:
        missing.append("No.")
    if "title" not in concepts:
        missing.append(_("Measure"))
    if not concepts & {"executing", "recommended"}:
        missing.append(_("Executing bodies"))
    if "period" not in concepts:
        missing.append(_("Implementation period"))
    if missing:
        found = ", ".join(f"“{cell}”" for cell in header_cells if cell) or "—"
        preview.file_problems.append(
            Problem(
                _(
                    "The file has no column for %(missing)s. The header row (row %(row)s) reads: %(found)s. "
                    "Name the columns as in the template, in English, Azerbaijani or Russian."
                )
                % {"missing": ", ".join(missing), "row": rows[header_position][0], "found": found}
            )
        )
    if preview.file_problems:
        return preview
    preview.columns = [mapping[index] for index in sorted(mapping)]

    by_key = {column.key: index for index, column in mapping.items()}
    area_language = _area_language(header_cells[by_key["area"]]) if "area" in by_key else "en"
    title_language = next(c.language for c in preview.columns if c.concept == "title")

    agencies = AgencyIndex()
    existing_areas = {area.code: area for area in edition.areas.all()}
    measures = {
        measure.number: measure
        for measure in edition.measures.select_related("area").prefetch_related("assignments__agency")
    }
    context = _Context(
        edition=edition,
        preview=preview,
        by_key=by_key,
        agencies=agencies,
        areas=existing_areas,
        area_language=area_language,
        title_language=title_language,
    )

    numbers_seen: dict[str, int] = {}
    for row_number, cells in rows[header_position + 1 :]:
        cells = cells + [""] * (len(header_cells) - len(cells))
        if not any(cells) or _is_column_numbering(cells):
            continue  # empty rows are skipped, not errors
        outcome = context.read_row(row_number, cells)
        if outcome is None:
            continue
        preview.rows.append(outcome)
        if outcome.parsed:
            number = outcome.parsed.number
            if number in numbers_seen:
                outcome.problems.append(
                    Problem(
                        _(
                            "measure %(number)s is also on row %(other)s — each number may appear once; "
                            "correct the number or remove one of the rows."
                        )
                        % {"number": number, "other": numbers_seen[number]},
                        row_number,
                        str(COLUMNS_BY_KEY["number"].label),
                    )
                )
            else:
                numbers_seen[number] = row_number
            if not outcome.problems:
                context.compare(outcome, measures.get(number))
        if outcome.problems:
            outcome.action = Action.ERROR
    if not any(row.parsed for row in preview.rows) and not preview.file_problems:
        preview.file_problems.append(
            Problem(_("The file has a header row but no measures under it. Add one row per measure."))
        )
    for area in preview.new_areas.values():
        if not area.pillar_given:
            preview.notices.append(
                _(
                    "Area %(code)s is new; no pillar is given, so it is filed under “%(pillar)s”. Add a Pillar "
                    "column, or change it under Areas after the import."
                )
                % {"code": area.code, "pillar": Pillar(area.pillar).label}
            )
    return preview


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


@dataclass
class _Context:
    edition: Edition
    preview: ImportPreview
    by_key: dict[str, int]
    agencies: AgencyIndex
    areas: dict[str, Area]
    area_language: str
    title_language: str
    heading_area: str = ""

    def cell(self, cells, key) -> str:
        index = self.by_key.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    def label(self, key) -> str:
        return str(COLUMNS_BY_KEY[key].label)

    # A row without agencies or period is an area heading ("4.1 Improving the legal base"), which
    # the official annex writes across the whole table.
    def read_row(self, row: int, cells: list[str]) -> RowOutcome | None:
        number_text = self.cell(cells, "number")
        texts = {c.key: self.cell(cells, c.key) for c in self.preview.columns}
        has_work = any(
            texts.get(key)
            for key in ("executing", "recommended", "partners", "period_text_en", "period_text_az", "period_text_ru")
        )
        if not has_work:
            return self.read_heading(row, cells, number_text)
        return self.read_measure(row, cells, number_text)

    def read_heading(self, row, cells, number_text) -> RowOutcome | None:
        filled = [cell for cell in cells if cell]
        title = next(
            (self.cell(cells, c.key) for c in self.preview.columns if c.concept == "title" and self.cell(cells, c.key)),
            "",
        )
        code = _clean_number(number_text) if NUMBER.match(_clean_number(number_text) or "-") else ""
        if not code and (match := HEADING.match(filled[0])) and NUMBER.match(_clean_number(match[1])):
            code, title = match[1], title or match[2].strip()
        elif code and not title and len(filled) > 1:
            title = filled[1]
        if not code:
            self.preview.notices.append(
                _("Row %(row)s (“%(text)s”) is read as a heading without an area number; it is left out.")
                % {"row": row, "text": filled[0][:80]}
            )
            return None
        outcome = RowOutcome(row=row, action=Action.HEADING, number=code, title=title, area=code)
        if code in self.areas or code in self.preview.new_areas:
            self.heading_area = code
            return outcome
        if not title:
            outcome.problems.append(
                Problem(
                    _(
                        "“%(code)s” has no measure text, executing bodies or period. If it is a measure, fill them in; "
                        "if it is a new area, write its title beside the number."
                    )
                    % {"code": code},
                    row,
                )
            )
            return outcome
        self._add_area(code, title, self.title_language, "", row, outcome)
        self.heading_area = code
        return outcome

    def _add_area(self, code, title, language, pillar_text, row, outcome):
        if (
            len(code) > Area._meta.get_field("code").max_length
            or len(title) > Area._meta.get_field("title_en").max_length
        ):
            outcome.problems.append(
                Problem(
                    _(
                        "the area “%(code)s” has a number longer than 20 characters or a title longer than 300 — shorten it."
                    )
                    % {"code": code[:30]},
                    row,
                    self.label("area"),
                )
            )
            return
        pillar, given = Pillar.COORDINATION, False
        if pillar_text:
            pillar = PILLAR_WORDS.get(normalize(pillar_text))
            if pillar is None:
                outcome.problems.append(
                    Problem(
                        _("unknown pillar “%(text)s” — write one of: %(choices)s.")
                        % {"text": pillar_text, "choices": ", ".join(value for value, _label in Pillar.choices)},
                        row,
                        self.label("pillar"),
                    )
                )
                return
            given = True
        self.preview.new_areas[code] = NewArea(code, title, language, pillar, given, row)

    def read_measure(self, row: int, cells: list[str], number_text: str) -> RowOutcome:
        number = _clean_number(number_text)
        outcome = RowOutcome(row=row, action=Action.NEW, number=number)
        problems = outcome.problems
        if not number:
            problems.append(
                Problem(_("empty — every measure needs its number, e.g. 4.1.1."), row, self.label("number"))
            )
        elif not NUMBER.match(number) or len(number) > 20:
            problems.append(
                Problem(
                    _("“%(text)s” is not a measure number — write numbers separated by dots, e.g. 4.1.1.")
                    % {"text": number_text},
                    row,
                    self.label("number"),
                )
            )
        parsed = ParsedMeasure(number=number)

        # Texts, in every language the file has a column for.
        for column in self.preview.columns:
            if column.concept in TEXT_CONCEPTS:
                value = self.cell(cells, column.key)
                base = column.key.rsplit("_", 1)[0]
                limit = MAX_LENGTHS.get(base)
                if limit and len(value) > limit:
                    problems.append(
                        Problem(
                            _("%(n)s characters; at most %(max)s fit — shorten it.") % {"n": len(value), "max": limit},
                            row,
                            str(column.label),
                        )
                    )
                parsed.values[column.key] = value
        titles = [parsed.values.get(f"title_{language}", "") for language in CONTENT_LANGUAGES]
        outcome.title = next((t for t in (parsed.values.get(f"title_{self.title_language}", ""), *titles) if t), "")
        if not any(titles):
            problems.append(Problem(_("empty — write the measure as the plan words it."), row, self.label("title_en")))

        # Period: the wording is kept as written; the dates come from the first language filled in.
        period_keys = [key for key in ("period_text_en", "period_text_az", "period_text_ru") if key in parsed.values]
        parsed.period_fields = period_keys
        wording = next((parsed.values[key] for key in period_keys if parsed.values[key]), "")
        period_column = next((key for key in period_keys if parsed.values[key]), period_keys[0] if period_keys else "")
        if not wording:
            problems.append(
                Problem(
                    _("empty — write the years, e.g. 2020–2022, or “permanent”."),
                    row,
                    self.label(period_column or "period_text_en"),
                )
            )
        else:
            try:
                parsed.period = parse_period(wording, self.edition)
            except PeriodProblem as problem:
                problems.append(Problem(str(problem), row, self.label(period_column)))

        # Agencies and their parts.
        placed: dict[int, str] = {}
        for concept, part in PART_FOR_CONCEPT.items():
            if concept not in self.by_key:
                continue
            found, errors = parse_agencies(self.cell(cells, concept), self.agencies)
            problems.extend(Problem(message, row, self.label(concept)) for message in errors)
            for agency_id, is_lead in found:
                if agency_id in placed:
                    problems.append(
                        Problem(
                            _("%(agency)s is also listed under %(other)s — an agency has one part in a measure.")
                            % {"agency": self.agencies.label(agency_id), "other": self.label(placed[agency_id])},
                            row,
                            self.label(concept),
                        )
                    )
                    continue
                if is_lead and part != MeasureAgency.Part.EXECUTING:
                    problems.append(
                        Problem(
                            _("only an executing body can lead a measure — remove the * after %(agency)s.")
                            % {"agency": self.agencies.label(agency_id)},
                            row,
                            self.label(concept),
                        )
                    )
                placed[agency_id] = concept
            parsed.assignments[part] = [(agency_id, lead) for agency_id, lead in found]
        responsible = parsed.assignments.get(MeasureAgency.Part.EXECUTING, []) + parsed.assignments.get(
            MeasureAgency.Part.RECOMMENDED, []
        )
        if not responsible and not any(
            p.column in (self.label("executing"), self.label("recommended")) for p in problems
        ):
            problems.append(
                Problem(_("empty — name at least one body that carries out the measure."), row, self.label("executing"))
            )

        # Area: the area column, else the heading above, else the number's first part.
        area_text = self.cell(cells, "area")
        if area_text:
            match = HEADING.match(area_text)
            code = _clean_number(match[1]) if match else _clean_number(area_text)
            title = match[2].strip() if match else ""
            if not NUMBER.match(code or "-"):
                problems.append(
                    Problem(
                        _("“%(text)s” does not start with the area's number — write e.g. “4.1 Legal base”.")
                        % {"text": area_text},
                        row,
                        self.label("area"),
                    )
                )
            elif code not in self.areas and code not in self.preview.new_areas:
                if not title:
                    problems.append(
                        Problem(
                            _("area %(code)s is not in this plan yet — write its title after the number to add it.")
                            % {"code": code},
                            row,
                            self.label("area"),
                        )
                    )
                else:
                    self._add_area(code, title, self.area_language, self.cell(cells, "pillar"), row, outcome)
            parsed.area_code, parsed.area_explicit = code, True
        elif self.heading_area and number.startswith(self.heading_area + "."):
            # A heading covers the measures numbered under it; 4.1.1 below heading 4.6 is not in 4.6.
            parsed.area_code, parsed.area_explicit = self.heading_area, True
        elif number:
            known = set(self.areas) | set(self.preview.new_areas)
            prefixes = [number.rsplit(".", depth)[0] for depth in range(1, number.count(".") + 1)]
            parsed.area_code = next((prefix for prefix in prefixes if prefix in known), "")
        outcome.area = parsed.area_code
        outcome.parsed = parsed
        return outcome

    def compare(self, outcome: RowOutcome, measure: Measure | None):
        parsed = outcome.parsed
        if measure is None:
            outcome.action = Action.NEW
            if not parsed.area_code:
                outcome.problems.append(
                    Problem(
                        _(
                            "no area for measure %(number)s — add an Area column, a heading row such as “4.1 Title” "
                            "above it, or add the area to the plan first."
                        )
                        % {"number": parsed.number},
                        outcome.row,
                        self.label("area"),
                    )
                )
            return
        outcome.measure_id = measure.pk
        if not parsed.area_explicit:
            parsed.area_code = measure.area.code
            outcome.area = measure.area.code
        changes = []
        if parsed.area_code != measure.area.code:
            changes.append(str(self.label("area")))
        for key, value in parsed.values.items():
            if _same_text(getattr(measure, key), value):
                continue
            changes.append(str(FIELD_LABELS[key]))
        final_titles = [
            parsed.values.get(f"title_{language}", getattr(measure, f"title_{language}"))
            for language in CONTENT_LANGUAGES
        ]
        if not any(t.strip() for t in final_titles):
            outcome.problems.append(
                Problem(_("empty — write the measure as the plan words it."), outcome.row, self.label("title_en"))
            )
        if _period_changes(measure, parsed) and parsed.period != (measure.start_date, measure.deadline):
            changes.append(str(_("start and deadline")))
        current = _current_assignments(measure, parsed.assignments)
        for part, wanted in parsed.assignments.items():
            if current.get(part, set()) != set(wanted):
                changes.append(str(self.label({v: k for k, v in PART_FOR_CONCEPT.items()}[part])))
        outcome.changes = changes
        outcome.action = Action.CHANGED if changes else Action.UNCHANGED


def _same_text(stored, value) -> bool:
    return (stored or "").replace("\r\n", "\n").strip() == value


def _period_changes(measure: Measure, parsed: ParsedMeasure) -> bool:
    """Dates follow the wording: they are set when the wording changes or none are set yet.

    While the plan's wording stays the same, dates refined by hand in the admin are kept.
    """
    if parsed.period is None:
        return False
    if measure.start_date is None or measure.deadline is None:
        return True
    return any(not _same_text(getattr(measure, key), parsed.values[key]) for key in parsed.period_fields)


def _current_assignments(measure: Measure, wanted: dict) -> dict[str, set[tuple[int, bool]]]:
    current: dict[str, set[tuple[int, bool]]] = defaultdict(set)
    for assignment in measure.assignments.all():
        current[assignment.part].add((assignment.agency_id, assignment.is_lead))
    return current


# --- Apply --------------------------------------------------------------------------------


@transaction.atomic
def import_apply(*, edition: Edition, filename: str, content: bytes, user=None) -> ImportPreview:
    """Import the file into the edition: all of it, or — when anything is wrong — nothing.

    The file is read again inside the transaction (with the edition locked), so what is written
    is what the file says now, not what an earlier preview saw. Unchanged measures are not
    saved, so importing the same file twice adds no history.
    """
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    preview = import_preview(edition=edition, filename=filename, content=content)
    if not preview.is_valid:
        raise ImportInvalid(preview)
    reason = _("Imported from %(file)s") % {"file": filename[:80]}

    areas = {area.code: area for area in edition.areas.all()}
    next_order = max((area.order for area in areas.values()), default=0)
    for new in preview.new_areas.values():
        next_order += 1
        area = Area(edition=edition, code=new.code, pillar=new.pillar, order=next_order)
        setattr(area, f"title_{new.language}", new.title)
        _stamp(area, user, reason)
        area.save()
        areas[new.code] = area

    measures = {
        measure.number: measure for measure in edition.measures.select_related("area").prefetch_related("assignments")
    }
    for outcome in preview.rows:
        if outcome.action not in (Action.NEW, Action.CHANGED):
            continue
        parsed = outcome.parsed
        measure = measures.get(parsed.number) or Measure(edition=edition, number=parsed.number)
        if measure.pk is None or _period_changes(measure, parsed):
            measure.start_date, measure.deadline = parsed.period
        measure.area = areas[parsed.area_code]
        for key, value in parsed.values.items():
            setattr(measure, key, value)
        is_new = measure.pk is None
        if is_new or outcome.changes != [] and _fields_changed(outcome):
            _stamp(measure, user, reason)
            measure.save()
        _sync_assignments(measure, parsed.assignments, is_new, user, reason)
    return preview


def _fields_changed(outcome: RowOutcome) -> bool:
    part_labels = {str(COLUMNS_BY_KEY[concept].label) for concept in PART_FOR_CONCEPT}
    return any(change not in part_labels for change in outcome.changes)


def _stamp(obj, user, reason):
    if user is not None:
        obj._history_user = user
    obj._change_reason = reason


def _sync_assignments(measure: Measure, wanted: dict, is_new: bool, user, reason):
    existing = {} if is_new else {a.agency_id: a for a in measure.assignments.all()}
    wanted_by_agency = {agency_id: (part, lead) for part, pairs in wanted.items() for agency_id, lead in pairs}
    for agency_id, assignment in existing.items():
        if assignment.part in wanted and agency_id not in wanted_by_agency:
            _stamp(assignment, user, reason)
            assignment.delete()
    for agency_id, (part, lead) in wanted_by_agency.items():
        assignment = existing.get(agency_id)
        if assignment is None:
            assignment = MeasureAgency(measure=measure, agency_id=agency_id, part=part, is_lead=lead)
        elif assignment.part == part and assignment.is_lead == lead:
            continue
        else:
            assignment.part, assignment.is_lead = part, lead
        _stamp(assignment, user, reason)
        assignment.save()


# --- Export and template ------------------------------------------------------------------


@dataclass
class ExportFile:
    filename: str
    content_type: str
    content: bytes


def _agency_cell(assignments) -> str:
    names = []
    for assignment in sorted(assignments, key=lambda a: (not a.is_lead, a.agency.name_en or a.agency.code)):
        agency = assignment.agency
        names.append((agency.name_en or agency.code) + ("*" if assignment.is_lead else ""))
    return "; ".join(names)


def edition_rows(edition: Edition) -> list[list[str]]:
    """The edition's measures as rows of COLUMNS. Two queries."""
    rows = []
    measures = edition.measures.select_related("area").prefetch_related("assignments__agency").order_by("sort_key")
    for measure in measures:
        by_part = defaultdict(list)
        for assignment in measure.assignments.all():
            by_part[assignment.part].append(assignment)
        row = []
        for column in COLUMNS:
            if column.concept == "number":
                row.append(measure.number)
            elif column.concept == "area":
                row.append(f"{measure.area.code} {measure.area.title_en}".strip())
            elif column.concept == "pillar":
                row.append(measure.area.pillar)
            elif column.concept in PART_FOR_CONCEPT:
                row.append(_agency_cell(by_part[PART_FOR_CONCEPT[column.concept]]))
            else:
                row.append(getattr(measure, column.key) or "")
        rows.append(row)
    return rows


def _workbook(rows: list[list[str]], *, with_help: bool):
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Measures"
    sheet.append([column.header for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for index, column in enumerate(COLUMNS, start=1):
        width = 12 if column.concept in ("number", "pillar") else 40 if column.concept == "title" else 28
        sheet.column_dimensions[get_column_letter(index)].width = width
    # Numbers such as 4.10 must stay text, not become the number 4.1.
    for (cell,) in sheet.iter_rows(min_row=1, min_col=1, max_col=1):
        cell.number_format = "@"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    if with_help:
        guide = workbook.create_sheet("Columns")
        guide.append([str(_("Column")), str(_("What to write")), str(_("Example"))])
        for cell in guide[1]:
            cell.font = Font(bold=True)
        for column in COLUMNS:
            explanation = str(column.help)
            if column.language and column.language != "en":
                explanation = str(_("The same, in %(language)s.") % {"language": LANGUAGE_NAMES[column.language]})
            guide.append([column.header, explanation, column.example])
        guide.append([])
        for note in (
            _(
                "Only the first sheet is read. Headers may also be written in Azerbaijani or Russian (e.g. “Tədbirin adı”, “İcraçı orqanlar”, “İcra müddəti”)."
            ),
            _(
                "Empty rows are skipped. A row with a number and a title but no bodies or period (e.g. “4.1 Legal base”) starts a new area."
            ),
            _("Columns left out of the file are left as they are; a column that is present replaces what is stored."),
            _("Nothing is imported until the whole file is correct; the preview lists every problem with its row."),
        ):
            guide.append([str(note)])
        guide.column_dimensions["A"].width = 28
        guide.column_dimensions["B"].width = 90
        guide.column_dimensions["C"].width = 40
        for row in guide.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_edition(*, edition: Edition, file_format: str = "xlsx") -> ExportFile:
    """The edition's measures in the columns the import reads (XLSX or CSV)."""
    rows = edition_rows(edition)
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([column.header for column in COLUMNS])
        writer.writerows([safe_cell(value) for value in row] for row in rows)
        # With a byte-order mark, Excel opens UTF-8 correctly.
        return ExportFile(f"{edition.code}-measures.csv", "text/csv", ("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return ExportFile(f"{edition.code}-measures.xlsx", XLSX_CONTENT_TYPE, _workbook(rows, with_help=True))


def import_template() -> ExportFile:
    """An empty table with every column, and a second sheet explaining each one."""
    return ExportFile("nap-measures-template.xlsx", XLSX_CONTENT_TYPE, _workbook([], with_help=True))
