"""Indicators with baselines and targets, and budgets planned and spent: reported in updates, shown on the measure."""

from decimal import Decimal

import pytest
from django.urls import reverse

from measures import results, services
from measures.models import BudgetLine, FundingSource, Indicator, IndicatorValue, Measure, ReportingPeriod, Spending
from measures.models import StatusUpdate as Update
from tests.factories import CountryFactory
from tests.measures.test_thread import review
from tests.measures.test_workflow import create, form_data, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(demo):
    """4.3.3, which the Ministry of Labour executes, with an indicator of each kind and a budget."""
    measure = Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")
    measure.indicator_set.all().delete()
    measure.budget_lines.all().delete()
    Spending.objects.filter(update__measure=measure).delete()  # the demo's own figures
    Indicator.objects.create(
        measure=measure,
        name_en="Victims trained",
        name_az="Təlim keçmiş qurbanlar",
        unit="number",
        breakdown="sex",
        baseline_value=10,
        baseline_year=2019,
        target_value=110,
        target_year=2024,
        order=1,
    )
    Indicator.objects.create(
        measure=measure,
        name_en="Share employed after a year",
        unit="percent",
        baseline_value=20,
        target_value=60,
        order=2,
    )
    Indicator.objects.create(
        measure=measure, name_en="Training programme approved", unit="yes_no", target_value=1, order=3
    )
    Indicator.objects.create(measure=measure, name_en="Regions covered", unit="text", target_text="All", order=4)
    state, _ = FundingSource.objects.get_or_create(code="STATE", defaults={"name_en": "State budget", "kind": "state"})
    usaid, _ = FundingSource.objects.get_or_create(code="USAID", defaults={"name_en": "USAID"})
    BudgetLine.objects.create(measure=measure, source=state, amount=50000, currency="AZN")
    BudgetLine.objects.create(measure=measure, source=usaid, amount=20000, currency="USD")
    return measure


@pytest.fixture
def period(measure):
    return ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")


def field(measure, name, category="total"):
    return f"indicator_{measure.indicator_set.get(name_en=name).pk}_{category}"


def values(measure, **overrides):
    data = {
        field(measure, "Victims trained", "women"): "41",
        field(measure, "Victims trained", "men"): "19",
        field(measure, "Share employed after a year"): "35",
        field(measure, "Training programme approved"): "1",
        field(measure, "Regions covered"): "Baku, Ganja, Lankaran",
    }
    for line in measure.budget_lines.all():
        data[f"spent_line_{line.pk}"] = "12500" if line.currency == "AZN" else "4000.50"
    data.update(overrides)
    return data


def test_an_update_reports_each_indicator_and_the_money_spent(client, measure, period):
    response = create(login(client, "focal"), measure, form_data(period) | values(measure))
    assert response.status_code == 302
    update = Update.objects.get(measure=measure, agency__code="MLSPP", period=period)
    stored = {(v.indicator.name_en, v.category): (v.value, v.text) for v in update.indicator_values.all()}
    assert stored[("Victims trained", "women")] == (Decimal("41"), "")
    assert stored[("Victims trained", "men")] == (Decimal("19"), "")
    assert stored[("Share employed after a year", "total")] == (Decimal("35"), "")
    assert stored[("Training programme approved", "total")] == (Decimal("1"), "")
    assert stored[("Regions covered", "total")] == (None, "Baku, Ganja, Lankaran")
    assert sorted((s.currency, s.amount) for s in update.spending.all()) == [
        ("AZN", Decimal("12500")),
        ("USD", Decimal("4000.50")),
    ]


@pytest.mark.parametrize(
    ("name", "category", "bad", "message"),
    [
        ("Share employed after a year", "total", "120", "less than or equal to 100"),
        ("Victims trained", "women", "-3", "greater than or equal to 0"),
        ("Victims trained", "men", "many", "Enter a number."),
        ("Training programme approved", "total", "maybe", "Select a valid choice."),
    ],
)
def test_each_value_is_checked_by_its_unit_and_nothing_is_saved(client, measure, period, name, category, bad, message):
    response = create(
        login(client, "focal"), measure, form_data(period) | values(measure, **{field(measure, name, category): bad})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Update.objects.filter(measure=measure, agency__code="MLSPP", period=period).exists()


def test_money_spent_without_a_currency_is_refused(client, measure, period):
    data = form_data(period) | values(measure, spent_other_amount="100", spent_other_currency="")
    response = create(login(client, "focal"), measure, data)
    assert response.status_code == 400
    assert "Say in which currency the money was spent." in response.content.decode()


def test_the_service_refuses_a_value_for_another_measures_indicator(client, measure, period):
    other = Indicator.objects.create(
        measure=Measure.objects.exclude(pk=measure.pk).first(), name_en="Elsewhere", unit="number"
    )
    create(login(client, "focal"), measure, form_data(period, action="save"))
    update = Update.objects.get(measure=measure, agency__code="MLSPP", period=period)
    data = services.UpdateData(
        period=period,
        status="in_progress",
        progress=50,
        narrative="Done.",
        indicator_values=(services.ResultValue(other.pk, "total", Decimal(5), ""),),
    )
    with pytest.raises(services.UpdateError, match="indicator this measure does not have"):
        services.update_save(
            update_id=update.pk, user=update.author, expected_version=update.version, data=data, files=[], submit=False
        )
    assert not IndicatorValue.objects.filter(indicator=other).exists()


def test_the_measure_page_shows_baseline_values_target_and_budget_once_approved(client, measure, period):
    create(login(client, "focal"), measure, form_data(period) | values(measure))
    update = Update.objects.get(measure=measure, agency__code="MLSPP", period=period)
    page = login(client, "partner").get(reverse("measure_detail", args=[measure.pk])).content.decode()
    section = page.split('id="results-title"', 1)[1].split("</section>", 1)[0]
    assert "Victims trained" in section and "10 (2019)" in section and "110 (2024)" in section
    assert "No value has been approved yet." in section  # submitted, not approved: not shown
    assert "12,500 AZN" not in section

    review(client, update, "approve")
    page = login(client, "partner").get(reverse("measure_detail", args=[measure.pk])).content.decode()
    section = page.split('id="results-title"', 1)[1].split("</section>", 1)[0]
    assert "2024 H2" in section and ">60<" in section.replace(" ", "")  # 41 women + 19 men
    assert "Women 41" in section and "Men 19" in section
    assert "50% done" in section  # (60 − 10) / (110 − 10)
    assert "Yes" in section and "Baku, Ganja, Lankaran" in section
    assert "50,000 AZN" in section and "12,500 AZN" in section and "25%" in section
    assert "20,000 USD" in section and "4,000.5 USD" in section
    assert "70,000" not in section  # never across currencies


def test_changes_since_return_include_indicator_values_and_money(client, measure, period):
    create(login(client, "focal"), measure, form_data(period) | values(measure))
    update = Update.objects.get(measure=measure, agency__code="MLSPP", period=period)
    review(client, update, "return", note="Check the number of women.")
    update.refresh_from_db()
    login(client, "focal").post(
        reverse("update_edit", args=[update.pk]),
        form_data(period, version=update.version)
        | values(measure, **{field(measure, "Victims trained", "women"): "43"}),
    )
    page = login(client, "coordinator").get(reverse("update_review", args=[update.pk])).content.decode()
    changes = page.split('id="changes-title"', 1)[1].split("</section>", 1)[0]
    assert "Victims trained — Women" in changes and "41" in changes and "43" in changes
    assert "Share employed" not in changes


@pytest.mark.parametrize(
    ("unit", "baseline", "target", "latest", "share"),
    [
        ("number", 10, 110, 60, 50),
        ("number", None, 40, 50, 125),
        ("number", 30, 10, 20, 50),  # a target below the baseline (fewer cases)
        ("percent", 20, 60, 10, 0),
        ("yes_no", None, 1, 1, 100),
        ("yes_no", None, 1, 0, 0),
        ("text", None, None, None, None),
    ],
)
def test_share_of_target(unit, baseline, target, latest, share):
    indicator = Indicator(unit=unit, baseline_value=baseline, target_value=target)
    assert results.share_of_target(indicator, None if latest is None else Decimal(latest)) == share


def test_budget_rows_keep_currencies_apart():
    state = FundingSource(code="S", name_en="State budget")
    rows = results.budget_rows(
        [BudgetLine(source=state, amount=100, currency="AZN"), BudgetLine(source=None, amount=50, currency="USD")],
        [Spending(source=state, amount=25, currency="AZN"), Spending(source=None, amount=5, currency="EUR")],
    )
    assert [(r.currency, r.planned, r.spent) for r in rows] == [
        ("AZN", 100, 25),
        ("EUR", 0, 5),
        ("USD", 50, 0),
    ]
    assert [(t.currency, t.planned) for t in results.budget_totals(rows)] == [("AZN", 100), ("EUR", 0), ("USD", 50)]


# --- The plan's spreadsheet carries indicators and the planned budget ------------------------------


def test_export_and_import_round_trip_keeps_indicators_and_budgets(measure):
    from measures.importing import export_edition, import_apply, import_preview

    edition = measure.edition
    exported = export_edition(edition=edition)
    preview = import_preview(edition=edition, filename=exported.filename, content=exported.content)
    assert preview.is_valid, preview.problems
    assert preview.counts["changed"] == 0  # the same file changes nothing

    # The same file into an empty copy of the plan: every indicator and budget line comes back.
    from measures.models import Edition

    copy = Edition.objects.create(
        country=CountryFactory(), code="NAP-COPY", title_en="Copy", start_year=2020, end_year=2024, state="active"
    )
    import_apply(edition=copy, filename=exported.filename, content=exported.content)
    copied = Measure.objects.get(edition=copy, number="4.3.3")

    def indicators(m):
        return [
            (
                i.name_en,
                i.name_az,
                i.unit,
                i.baseline_value,
                i.baseline_year,
                i.target_value,
                i.target_year,
                i.target_text,
            )
            for i in m.indicator_set.order_by("order")
        ]

    def budget(m):
        return sorted(
            (line.source.code if line.source else "", line.amount, line.currency) for line in m.budget_lines.all()
        )

    assert indicators(copied) == indicators(measure)
    assert budget(copied) == budget(measure) == [("STATE", 50000, "AZN"), ("USAID", 20000, "USD")]


def test_the_import_reads_indicator_and_budget_columns_and_explains_mistakes(measure):
    from measures.importing import import_apply, import_preview
    from tests.measures.import_files import xlsx

    header = [
        "No.",
        "Measure",
        "Executing bodies",
        "Implementation period",
        "Göstəricinin adı",
        "Ölçü vahidi",
        "Baseline",
        "Target",
        "Planned budget",
        "Funding source",
    ]
    good = [
        "4.3.3",
        "Give victims vocational training and help them find jobs",
        "SEA*; MLSPP",
        "2020–2024",
        "Təlim keçmiş qurbanlar\nİşləyənlərin payı",
        "ədəd\nfaiz",
        "10 (2019)\n20% (2019)",
        "200 (2024)\n60% (2024)",
        "60 000 AZN\n15000 EUR",
        "Dövlət büdcəsi\nEU",
    ]
    EUFunding = FundingSource.objects.get_or_create(code="EU", defaults={"name_en": "European Union"})[0]
    content = xlsx([header, good])
    preview = import_preview(edition=measure.edition, filename="plan.xlsx", content=content)
    assert preview.is_valid, [str(p) for p in preview.problems]
    import_apply(edition=measure.edition, filename="plan.xlsx", content=content)
    trained = measure.indicator_set.get(name_en="Victims trained")  # matched by its Azerbaijani name, kept
    assert (trained.target_value, trained.target_year) == (200, 2024)
    share = measure.indicator_set.get(name_az="İşləyənlərin payı")
    assert (share.unit, share.baseline_value, share.target_value) == ("percent", 20, 60)
    assert sorted((line.source.code, line.amount, line.currency) for line in measure.budget_lines.all()) == [
        ("EU", 15000, "EUR"),
        ("STATE", 60000, "AZN"),
    ]
    assert EUFunding.pk

    bad = list(good)
    bad[5], bad[7], bad[8], bad[9] = "ədəd\nkilogram", "abc (2024)\n60%", "60000\n15000 EUR", "STATE\nUnknown Fund"
    preview = import_preview(edition=measure.edition, filename="plan.xlsx", content=xlsx([header, bad]))
    messages = " ".join(str(p) for p in preview.problems)
    assert "kilogram" in messages and "not a number" in messages
    assert "is not an amount with its currency" in messages and "Unknown Fund" in messages


def test_the_reviewer_reads_what_the_update_reports_against_indicators_and_money(client, measure, period):
    create(login(client, "focal"), measure, form_data(period) | values(measure))
    update = Update.objects.get(measure=measure, agency__code="MLSPP", period=period)
    page = login(client, "coordinator").get(reverse("update_review", args=[update.pk])).content.decode()
    reported = page.split('class="reported-results', 1)[1].split("</dl>", 1)[0]
    assert "Victims trained — Women" in reported and ">41<" in reported
    assert "Share employed after a year" in reported and "35 %" in reported
    assert "Spent from State budget" in reported and "12,500 AZN" in reported
