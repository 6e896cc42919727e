"""Matching headers: which column a header cell names, where the header row is, and the row of column numbers."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from measures.importing.columns import COLUMNS, COLUMNS_BY_KEY, LANGUAGE_CONCEPTS, Column
from measures.importing.read import FileProblem

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
            "nr",
            "n°",
            "s/s",
            "s/n",
            "s/№",
            "sıra",
            "sıra №",
            "sıra sayı",
            "sıra nömrəsi",
            "№ п/п",
            "№п/п",
            "№№",
            "№№ п/п",
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
    "indicator_name": {
        "en": ["indicator name", "indicator names", "name of the indicator", "measurable indicator"],
        "az": ["göstəricinin adı", "göstərici adı", "ölçülə bilən göstərici"],
        "ru": ["название показателя", "наименование показателя", "название индикатора"],
    },
    "indicator_unit": {
        None: ["indicator unit", "unit", "unit of measure", "ölçü vahidi", "vahid", "единица измерения", "единица"]
    },
    "baseline": {
        None: [
            "baseline",
            "baseline value",
            "ilkin göstərici",
            "ilkin vəziyyət",
            "başlanğıc göstərici",
            "исходное значение",
            "базовое значение",
            "исходный уровень",
        ]
    },
    "target": {None: ["target", "target value", "hədəf", "hədəf göstərici", "целевое значение", "целевой показатель"]},
    "budget": {
        None: [
            "planned budget",
            "budget",
            "estimated budget",
            "planlaşdırılan büdcə",
            "büdcə",
            "планируемый бюджет",
            "бюджет",
            "смета",
        ]
    },
    "funding_source": {
        None: [
            "funding source",
            "funding sources",
            "donor",
            "maliyyələşdirən",
            "donor təşkilat",
            "источник средств",
            "донор",
        ]
    },
    "recommendations": {
        None: [
            "recommendations",
            "recommendation",
            "recommendations answered",
            "international recommendations",
            "tövsiyələr",
            "tövsiyə",
            "beynəlxalq tövsiyələr",
            "рекомендации",
            "рекомендация",
            "международные рекомендации",
        ]
    },
    "financing": {
        "en": ["financing", "financing source", "source of financing", "funding"],
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


# Characters a header or a name copied from Word or a PDF may carry without showing them:
# soft hyphens, zero-width spaces and joiners, byte-order marks.
INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


def _fold(text) -> str:
    """Compatibility forms (№ → No, non-breaking space → space), lower case, every Azerbaijani i as "i"."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text or "")))
    text = text.replace("İ", "i").replace("I", "i").replace("ı", "i")
    return text.casefold().replace("\u0307", "")


def normalize(text) -> str:
    """Forgiving form for matching: case, spacing, quotes, dashes and the Azerbaijani dotted/dotless i."""
    text = _fold(text)
    text = re.sub(r"[\"'“”„‟«»‹›‘’‚‛ʼ`]", "", text)
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    return re.sub(r"\s+", " ", text).strip(" .,;:*")


# Azerbaijani writes a case ending after a hyphen or an apostrophe when the word is a sign, a
# number or an abbreviation: "Sıra №-si", "2020-ci", "BMT-nin", "AR'nın". A header is read
# without it. Only endings of Azerbaijani grammar are taken, and only at the end of a word, so
# "e-poçt" or "4-P" keep their hyphen. Written for text after `_fold` (every i is "i").
CASE_SUFFIX = re.compile(
    r"(?<=\S)[-‐‑‒–—−'’ʼ‘`]"
    r"(?:s?[iuü]|n?[iuü]n|n[iuü]|[yn]?[aə]|n?d[aə]n?|n?c[iuü]|[iuü]nc[iuü]|l[iuü])"
    r"(?=$|[^\w])"
)
# "İcra müddəti, illər", "Срок исполнения, годы": the unit after a comma says nothing about the column.
YEARS_UNIT = re.compile(r",\s*(illər|il|годы|год|гг|years|year)$")


def header_key(text) -> str:
    """`normalize`, and also without case endings, a trailing ", years" and stray punctuation at the ends."""
    text = normalize(CASE_SUFFIX.sub("", _fold(text)))
    return YEARS_UNIT.sub("", text).strip(" .,;:*-_/\\|")


def _build_header_index() -> dict[str, tuple[str, str | None]]:
    index = {}
    for concept, by_language in HEADER_WORDS.items():
        for language, words in by_language.items():
            for word in words:
                index[header_key(word)] = (concept, language)
    return index


HEADER_INDEX = _build_header_index()


def match_header(text: str) -> Column | None:
    """The column a header names, or None. 'Tədbirin adı' → measure (az); 'Measure (RU)' → measure (ru)."""
    words = header_key(text)
    if not words:
        return None
    language = None
    found = HEADER_INDEX.get(words)
    if not found and (suffix := LANGUAGE_SUFFIX.match(words)):
        base = header_key(suffix["base"])
        found = HEADER_INDEX.get(base) or HEADER_INDEX.get(header_key(re.sub(r"\(.*?\)", "", base)))
        language = LANGUAGE_WORDS[suffix["lang"]] if found else None
    if not found:
        # "Implementation period (years)", "İcra müddəti (illər)"
        found = HEADER_INDEX.get(header_key(re.sub(r"\(.*?\)", "", words)))
    if not found:
        return None
    concept, default_language = found
    if concept in LANGUAGE_CONCEPTS or concept == "area":
        language = language or default_language or "en"
        if concept == "area":
            return COLUMNS_BY_KEY["area"]
        key = next(c.key for c in COLUMNS if c.concept == concept and c.language == language)
        return COLUMNS_BY_KEY[key]
    return next(c for c in COLUMNS if c.concept == concept)


def area_header_language(text: str) -> str:
    found = HEADER_INDEX.get(header_key(text))
    return (found[1] if found and found[1] else None) or "en"


def find_header(rows) -> tuple[int, dict[int, Column], list[str]]:
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


def is_column_numbering(cells: list[str]) -> bool:
    """The official annex numbers its columns 1, 2, 3, 4 under the header."""
    filled = [cell for cell in cells if cell]
    return len(filled) >= 2 and filled == [str(n) for n in range(1, len(filled) + 1)]


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
