"""Demo indicators and budgets for the 2020–2024 plan — illustrative, like the demo measures they belong to.

The official annex has no indicator or financing columns (see DOMAIN.md); these show what the screens
do with them. Values reported in the demo's approved updates follow each update's progress from the
baseline towards the target; money spent follows the same progress.
"""

import random
from decimal import Decimal

from measures.models import BudgetLine, FundingSource, Indicator, IndicatorValue, Spending, StatusUpdate

# measure → indicators: (name en, az, ru, unit, breakdown, baseline, baseline year, target, target year)
INDICATORS = {
    "4.3.1": [
        (
            "Victims given shelter and assistance",
            "Sığınacaq və yardım verilmiş qurbanlar",
            "Жертвы, получившие приют и помощь",
            "number",
            "sex_age",
            91,
            2019,
            150,
            2024,
        ),
    ],
    "4.3.3": [
        (
            "Victims who completed vocational training",
            "Peşə təhsili kursunu bitirmiş qurbanlar",
            "Жертвы, прошедшие профессиональное обучение",
            "number",
            "sex",
            12,
            2019,
            120,
            2024,
        ),
        (
            "Trained victims in work a year later",
            "Bir il sonra işləyən təlim keçmiş qurbanlar",
            "Прошедшие обучение жертвы, работающие через год",
            "percent",
            "",
            20,
            2019,
            60,
            2024,
        ),
    ],
    "4.2.6": [
        (
            "Calls to the 152 hotline",
            "152 qaynar xəttinə zənglər",
            "Звонки на горячую линию 152",
            "number",
            "",
            1800,
            2019,
            3000,
            2024,
        ),
    ],
    "4.4.3": [
        (
            "Judges, prosecutors and investigators trained",
            "Təlim keçmiş hakimlər, prokurorlar və müstəntiqlər",
            "Обученные судьи, прокуроры и следователи",
            "number",
            "sex",
            0,
            2019,
            400,
            2024,
        ),
    ],
    "4.1.1": [
        (
            "Draft amendments submitted to the Cabinet of Ministers",
            "Nazirlər Kabinetinə təqdim edilmiş dəyişikliklər layihəsi",
            "Проект изменений представлен в Кабинет Министров",
            "yes_no",
            "",
            0,
            2019,
            1,
            2022,
        ),
    ],
    "4.6.2": [
        (
            "Bodies connected to the single database",
            "Vahid məlumat bazasına qoşulmuş qurumlar",
            "Органы, подключённые к единой базе данных",
            "number",
            "",
            1,
            2019,
            6,
            2024,
        ),
    ],
}

# measure → planned lines: (funding source code, amount, currency)
BUDGETS = {
    "4.3.1": [("STATE", 450000, "AZN"), ("IOM", 60000, "USD")],
    "4.3.3": [("STATE", 80000, "AZN"), ("USAID", 25000, "USD")],
    "4.3.2": [("STATE", 300000, "AZN")],
    "4.2.5": [("STATE", 40000, "AZN")],
    "4.2.6": [("STATE", 15000, "AZN")],
    "4.2.7": [("IOM", 35000, "USD")],
    "4.4.3": [("EU", 120000, "EUR"), ("STATE", 20000, "AZN")],
    "4.4.5": [("EU", 45000, "EUR")],
    "4.5.5": [("STATE", 200000, "AZN")],
    "4.6.2": [("STATE", 150000, "AZN")],
    "4.6.3": [("EU", 30000, "EUR")],
}

SOURCES = [
    ("STATE", "state", "State budget", "Dövlət büdcəsi", "Государственный бюджет"),
    ("USAID", "donor", "USAID", "USAID", "USAID"),
    ("EU", "donor", "European Union", "Avropa İttifaqı", "Европейский союз"),
    ("IOM", "donor", "IOM", "IOM", "МОМ"),
]

SHARES = {"sex": (("women", 70), ("men", 30)), "sex_age": (("women", 55), ("men", 20), ("girls", 18), ("boys", 7))}


def add_results(edition, rng: random.Random):
    """Indicators, budget lines and what the approved updates report against them."""
    sources = {}
    for code, kind, en, az, ru in SOURCES:
        sources[code], _ = FundingSource.objects.get_or_create(
            code=code, defaults={"kind": kind, "name_en": en, "name_az": az, "name_ru": ru}
        )
    measures = {m.number: m for m in edition.measures.filter(number__in=set(INDICATORS) | set(BUDGETS))}
    indicators = []
    for number, specs in INDICATORS.items():
        for order, (en, az, ru, unit, breakdown, baseline, base_year, target, target_year) in enumerate(specs, 1):
            indicators.append(
                Indicator(
                    measure=measures[number],
                    name_en=en,
                    name_az=az,
                    name_ru=ru,
                    unit=unit,
                    breakdown=breakdown,
                    baseline_value=baseline,
                    baseline_year=base_year,
                    target_value=target,
                    target_year=target_year,
                    order=order,
                )
            )
    Indicator.objects.bulk_create(indicators)
    lines = [
        BudgetLine(measure=measures[number], source=sources[code], amount=amount, currency=currency)
        for number, specs in BUDGETS.items()
        for code, amount, currency in specs
    ]
    BudgetLine.objects.bulk_create(lines)

    approved = (
        StatusUpdate.objects.filter(measure__in=measures.values(), state=StatusUpdate.State.APPROVED)
        .select_related("period")
        .order_by("period__start")
    )
    by_measure: dict = {}
    for update in approved:
        by_measure.setdefault(update.measure_id, []).append(update)
    values, spending = [], []
    for indicator in indicators:
        for update in by_measure.get(indicator.measure_id, []):
            values += _values(indicator, update)
    for line in lines:
        updates = by_measure.get(line.measure_id, [])
        for update in updates:
            share = Decimal(rng.randint(70, 110)) / 100 / max(len(updates), 1)
            amount = (line.amount * Decimal(update.progress) / 100 * share).quantize(Decimal("1"))
            spending.append(Spending(update=update, source=line.source, amount=amount, currency=line.currency))
    IndicatorValue.objects.bulk_create(values)
    Spending.objects.bulk_create(spending)


def _values(indicator: Indicator, update: StatusUpdate) -> list[IndicatorValue]:
    if indicator.unit == Indicator.Unit.YES_NO:
        reached = 1 if update.status == "completed" else 0
        return [IndicatorValue(update=update, indicator=indicator, value=reached)]
    baseline, target = indicator.baseline_value, indicator.target_value
    total = (baseline + (target - baseline) * Decimal(update.progress) / 100).quantize(Decimal("1"))
    if not indicator.breakdown:
        return [IndicatorValue(update=update, indicator=indicator, value=total)]
    parts = SHARES[indicator.breakdown]
    values, given = [], Decimal(0)
    for index, (category, percent) in enumerate(parts):
        value = total - given if index == len(parts) - 1 else (total * percent / 100).quantize(Decimal("1"))
        given += value
        values.append(IndicatorValue(update=update, indicator=indicator, category=category, value=value))
    return values
