"""The columns an import reads and an export writes: their keys, headers, labels and help.

The official annex has four columns — No., measure, executing bodies, implementation period —
and a plan may add area, pillar, recommended institutions, partners, expected result,
indicator, financing, and texts in other languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from measures.models import MeasureAgency, Pillar

CONTENT_LANGUAGES = ("en", "az", "ru")


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
# Indicators and the planned budget: one per line in a measure's cell (see importing/results.py).
COLUMNS += [
    *_text_columns(
        "indicator_name",
        "indicator_name",
        "Indicator name",
        gettext_lazy("indicator name"),
        gettext_lazy(
            "Optional. One measurable indicator per line; the unit, baseline and target columns follow the same lines."
        ),
        "Victims who completed vocational training",
    ),
    Column(
        "indicator_unit",
        "indicator_unit",
        None,
        "Indicator unit",
        gettext_lazy("indicator unit"),
        gettext_lazy("number, percent, yes/no or text — one per line, as the indicator names. Empty means number."),
        "number",
    ),
    Column(
        "baseline",
        "baseline",
        None,
        "Baseline",
        gettext_lazy("baseline"),
        gettext_lazy("The value before the plan, with its year in brackets, e.g. 12 (2019) — one per line."),
        "12 (2019)",
    ),
    Column(
        "target",
        "target",
        None,
        "Target",
        gettext_lazy("target"),
        gettext_lazy("The value to reach, with its year in brackets, e.g. 120 (2024) — one per line."),
        "120 (2024)",
    ),
    Column(
        "budget",
        "budget",
        None,
        "Planned budget",
        gettext_lazy("planned budget"),
        gettext_lazy(
            "Optional. An amount with its currency per line, e.g. 50000 AZN; amounts are never added across currencies."
        ),
        "50000 AZN",
    ),
    Column(
        "funding_source",
        "funding_source",
        None,
        "Funding source",
        gettext_lazy("funding source"),
        gettext_lazy(
            "The source of each planned amount, on the same line: STATE, USAID, EU, IOM or another source's code or name."
        ),
        "STATE",
    ),
]
# International commitments: the recommendations a measure answers (see importing/recommendations.py).
COLUMNS += [
    Column(
        "recommendations",
        "recommendations",
        None,
        "Recommendations",
        gettext_lazy("recommendations"),
        gettext_lazy(
            "Optional. The recommendations the measure answers, by their source's reference and number, separated "
            "by “;” or new lines, e.g. GRETA(2018)17 §45; TIP 2024 P3. They must be listed under Recommendations."
        ),
        "GRETA(2018)17 §45; TIP 2024 P3",
    ),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
# Columns kept in three languages (the header says which: "Indicator name (az)").
LANGUAGE_CONCEPTS = {"title", "period", "expected_result", "indicators", "financing", "indicator_name"}
RESULT_CONCEPTS = {"indicator_name", "indicator_unit", "baseline", "target"}
BUDGET_CONCEPTS = {"budget", "funding_source"}
TEXT_CONCEPTS = {"title", "period", "expected_result", "indicators", "financing"}
PART_FOR_CONCEPT = {
    "executing": MeasureAgency.Part.EXECUTING,
    "recommended": MeasureAgency.Part.RECOMMENDED,
    "partners": MeasureAgency.Part.PARTNER,
}
MAX_LENGTHS = {"period_text": 200, "financing_source": 300}


PILLAR_WORDS = {
    "prevention": Pillar.PREVENTION, "profilaktika": Pillar.PREVENTION, "qarşısının alınması": Pillar.PREVENTION,
    "профилактика": Pillar.PREVENTION, "предупреждение": Pillar.PREVENTION,
    "protection": Pillar.PROTECTION, "müdafiə": Pillar.PROTECTION, "защита": Pillar.PROTECTION,
    "prosecution": Pillar.PROSECUTION, "təqib": Pillar.PROSECUTION, "преследование": Pillar.PROSECUTION,
    "partnership": Pillar.PARTNERSHIP, "tərəfdaşlıq": Pillar.PARTNERSHIP, "партнерство": Pillar.PARTNERSHIP,
    "coordination": Pillar.COORDINATION, "coordination and monitoring": Pillar.COORDINATION,
    "monitoring": Pillar.COORDINATION, "koordinasiya": Pillar.COORDINATION, "координация": Pillar.COORDINATION,
}  # fmt: skip
