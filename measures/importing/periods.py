"""Implementation periods: the start and deadline a plan's wording ("2020–2022", "daimi") stands for."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

from measures.importing.headers import normalize
from measures.models import Edition

# Words for "the plan's whole term" in the implementation period column.
PERMANENT_WORDS = [
    "permanent", "permanently", "continuous", "continuously", "ongoing", "constantly", "regularly", "annually",
    "every year", "throughout", "daimi", "mütəmadi", "müntəzəm", "davamlı", "hər il", "ildə bir",
    "постоянно", "на постоянной основе", "ежегодно", "регулярно", "в течение",
]  # fmt: skip


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
