"""Importing a plan's measures from a spreadsheet: what is read, what is refused, and that a bad file writes nothing."""

from datetime import date

import pytest

from measures.importing import (
    Action,
    ImportInvalid,
    export_edition,
    import_apply,
    import_preview,
    import_template,
    match_header,
    parse_period,
)
from measures.models import Area, Edition, Measure, MeasureAgency
from tests.factories import AgencyFactory, AreaFactory, CountryFactory, EditionFactory
from tests.measures.import_files import OFFICIAL_HEADER, csv_bytes, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    """A running plan with one area, and the bodies its table names."""
    edition = EditionFactory(code="NAP-2020-2024", start_year=2020, end_year=2024, approved_on=date(2020, 7, 22))
    AreaFactory(edition=edition, code="4.1", title_en="Legal base", pillar="coordination")
    AgencyFactory(
        code="CABMIN", name_en="Cabinet of Ministers", name_az="Nazirlər Kabineti", name_ru="Кабинет министров"
    )
    AgencyFactory(
        code="MOH", name_en="Ministry of Health", name_az="Səhiyyə Nazirliyi", name_ru="Министерство здравоохранения"
    )
    AgencyFactory(
        code="MIA-MDCTHB",
        name_en="Main Department on Combating Trafficking in Human Beings, Ministry of Internal Affairs",
        name_az="Daxili İşlər Nazirliyi İnsan Alverinə qarşı Mübarizə Baş İdarəsi",
    )
    AgencyFactory(code="PGO", name_en="Prosecutor General's Office", kind="justice")
    AgencyFactory(code="IOM", name_en="International Organization for Migration", kind="international")
    return edition


def snapshot():
    """Everything an import could write, to prove that a refused file wrote nothing."""
    return (
        Measure.objects.count(),
        MeasureAgency.objects.count(),
        Area.objects.count(),
        Measure.history.count(),
        MeasureAgency.history.count(),
    )


def preview_of(plan, content, name="plan.xlsx"):
    return import_preview(edition=plan, filename=name, content=content)


def assert_refused(plan, content, *expected, name="plan.xlsx"):
    """The file is refused with messages containing each expected text, and nothing is written."""
    before = snapshot()
    with pytest.raises(ImportInvalid) as refused:
        import_apply(edition=plan, filename=name, content=content)
    messages = [str(problem) for problem in refused.value.preview.problems]
    for text in expected:
        assert any(text in message for message in messages), messages
    assert snapshot() == before
    return messages


GOOD_ROWS = [
    OFFICIAL_HEADER,
    ["4.1.1", "Prepare proposals on the Council of Europe Convention", "Cabinet of Ministers", "2020–2022"],
    ["4.1.2", "Join the Convention against Trafficking in Human Organs", "CABMIN*; MOH", "2020-2021"],
]


# --- A good file ----------------------------------------------------------------------------


def test_official_four_columns_import_new_measures_with_dates_from_the_wording(plan):
    result = import_apply(edition=plan, filename="plan.xlsx", content=xlsx(GOOD_ROWS))
    assert result.counts == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    first = Measure.objects.get(edition=plan, number="4.1.1")
    assert first.period_text_en == "2020–2022"
    assert (first.start_date, first.deadline) == (date(2020, 7, 22), date(2022, 12, 31))
    assert first.area.code == "4.1"
    second = Measure.objects.get(edition=plan, number="4.1.2")
    parts = {(a.agency.code, a.part, a.is_lead) for a in second.assignments.select_related("agency")}
    assert parts == {("CABMIN", "executing", True), ("MOH", "executing", False)}


def test_importing_the_same_file_again_changes_nothing_and_adds_no_history(plan):
    content = xlsx(GOOD_ROWS)
    import_apply(edition=plan, filename="plan.xlsx", content=content)
    history = (Measure.history.count(), MeasureAgency.history.count())
    again = import_apply(edition=plan, filename="plan.xlsx", content=content)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 2, "error": 0}
    assert (Measure.history.count(), MeasureAgency.history.count()) == history


def test_a_corrected_file_updates_measures_by_their_number(plan):
    import_apply(edition=plan, filename="plan.xlsx", content=xlsx(GOOD_ROWS))
    corrected = [row[:] for row in GOOD_ROWS]
    corrected[1][1] = "Prepare proposals to align the law with the Council of Europe Convention"
    corrected[2][2] = "Cabinet of Ministers*"
    corrected[2][3] = "2020–2023"
    preview = preview_of(plan, xlsx(corrected))
    first, second = preview.rows
    assert (first.action, first.changes) == (Action.CHANGED, ["measure"])
    assert second.action == Action.CHANGED
    assert set(second.changes) == {"implementation period", "start and deadline", "executing bodies"}
    import_apply(edition=plan, filename="plan.xlsx", content=xlsx(corrected))
    measure = Measure.objects.get(edition=plan, number="4.1.2")
    assert measure.deadline == date(2023, 12, 31)
    assert [a.agency.code for a in measure.assignments.select_related("agency")] == ["CABMIN"]
    assert Measure.objects.filter(edition=plan).count() == 2
    assert measure.history.first().history_change_reason == "Imported from plan.xlsx"


def test_dry_run_preview_writes_nothing(plan):
    before = snapshot()
    preview = preview_of(plan, xlsx(GOOD_ROWS))
    assert preview.is_valid and preview.counts["new"] == 2
    assert snapshot() == before


@pytest.mark.parametrize(
    "header",
    [
        ["No.", "Tədbirin adı", "İcraçı orqanlar", "İcra müddəti"],
        ["  NO ", "MEASURE", "executing   bodies", "Implementation period (years)"],
        ["№", "Наименование мероприятия", "Исполнители", "Срок исполнения"],
    ],
)
def test_headers_are_matched_forgivingly_in_three_languages(plan, header):
    preview = preview_of(plan, xlsx([header, GOOD_ROWS[1]]))
    assert preview.is_valid, [str(p) for p in preview.problems]
    assert preview.rows[0].action == Action.NEW


def test_azerbaijani_headers_fill_the_azerbaijani_texts(plan):
    rows = [
        ["No.", "Tədbirin adı", "İcraçı orqanlar", "İcra müddəti"],
        ["4.1.1", "Təkliflər hazırlamaq", "nazirlər  kabineti", "2020–2022-ci illər"],
    ]
    import_apply(edition=plan, filename="plan.xlsx", content=xlsx(rows))
    measure = Measure.objects.get(number="4.1.1")
    assert (measure.title_az, measure.title_en, measure.period_text_az) == (
        "Təkliflər hazırlamaq",
        "",
        "2020–2022-ci illər",
    )
    assert measure.assignments.get().agency.code == "CABMIN"


@pytest.mark.parametrize(
    "written",
    [
        "CABMIN",
        "cabmin",
        "Cabinet of Ministers",
        "  cabinet   OF ministers ",
        "Nazirlər Kabineti",
        "NAZİRLƏR KABİNETİ",
        "Кабинет министров",
    ],
)
def test_agencies_are_matched_by_code_or_name_in_any_language(plan, written):
    preview = preview_of(plan, xlsx([OFFICIAL_HEADER, ["4.1.1", "A measure", written, "2021"]]))
    assert preview.is_valid, [str(p) for p in preview.problems]


def test_an_agency_name_with_a_comma_is_read_whole_and_commas_also_separate_bodies(plan):
    cell = "Main Department on Combating Trafficking in Human Beings, Ministry of Internal Affairs*, Ministry of Health"
    import_apply(
        edition=plan, filename="plan.xlsx", content=xlsx([OFFICIAL_HEADER, ["4.1.1", "A measure", cell, "2021"]])
    )
    parts = {(a.agency.code, a.is_lead) for a in MeasureAgency.objects.select_related("agency")}
    assert parts == {("MIA-MDCTHB", True), ("MOH", False)}


def test_optional_columns_areas_partners_and_other_languages(plan):
    rows = [
        [
            "No.",
            "Area",
            "Pillar",
            "Measure",
            "Measure (ru)",
            "Executing bodies",
            "Recommended institutions",
            "Partners",
            "Implementation period",
            "Expected result",
            "Indicator",
            "Financing",
        ],
        [
            "4.5.1",
            "4.5 Partnership with civil society",
            "partnership",
            "Fund NGO projects",
            "Финансировать проекты НПО",
            "MOH*",
            "PGO",
            "IOM",
            "permanent",
            "More NGO projects",
            "Number of projects",
            "State budget",
        ],
    ]
    result = import_apply(edition=plan, filename="plan.xlsx", content=xlsx(rows))
    assert result.counts["new"] == 1 and "4.5" in result.new_areas
    measure = Measure.objects.select_related("area").get(number="4.5.1")
    assert (measure.area.code, measure.area.title_en, measure.area.pillar) == (
        "4.5",
        "Partnership with civil society",
        "partnership",
    )
    assert (measure.title_ru, measure.expected_result_en, measure.indicators_en, measure.financing_source_en) == (
        "Финансировать проекты НПО",
        "More NGO projects",
        "Number of projects",
        "State budget",
    )
    assert (measure.start_date, measure.deadline) == (date(2020, 7, 22), date(2024, 12, 31))
    assert {(a.agency.code, a.part) for a in measure.assignments.select_related("agency")} == {
        ("MOH", "executing"),
        ("PGO", "recommended"),
        ("IOM", "partner"),
    }


@pytest.mark.parametrize(
    ("written", "pillar"),
    [("Tərəfdaşlıq", "partnership"), ("QARŞISININ ALINMASI", "prevention"), ("Защита", "protection")],
)
def test_a_pillar_written_in_azerbaijani_or_russian_is_read(plan, written, pillar):
    rows = [
        ["No.", "Area", "Pillar", "Measure", "Executing bodies", "Implementation period"],
        ["4.5.1", "4.5 Partnership with civil society", written, "Fund NGO projects", "MOH", "2021"],
    ]
    preview = preview_of(plan, xlsx(rows))
    assert preview.is_valid, [str(p) for p in preview.problems]
    assert preview.new_areas["4.5"].pillar == pillar


# --- The implementation period ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2020–2022", date(2020, 7, 22), date(2022, 12, 31)),
        ("2020-2022", date(2020, 7, 22), date(2022, 12, 31)),
        ("2021", date(2021, 1, 1), date(2021, 12, 31)),
        ("2021–22", date(2021, 1, 1), date(2022, 12, 31)),
        ("2020–2024, annually", date(2020, 7, 22), date(2024, 12, 31)),
        ("2021–2023-cü illər", date(2021, 1, 1), date(2023, 12, 31)),
        ("daimi", date(2020, 7, 22), date(2024, 12, 31)),
        ("Permanent", date(2020, 7, 22), date(2024, 12, 31)),
        ("постоянно", date(2020, 7, 22), date(2024, 12, 31)),
        ("hər il", date(2020, 7, 22), date(2024, 12, 31)),
    ],
)
def test_implementation_periods_as_plans_word_them(plan, text, start, end):
    assert parse_period(text, plan) == (start, end)


def test_impossible_periods_are_errors_and_write_nothing(plan):
    rows = [
        OFFICIAL_HEADER,
        ["4.1.1", "Ends before it starts", "CABMIN", "2022–2020"],
        ["4.1.2", "Before the plan", "CABMIN", "2018–2021"],
        ["4.1.3", "After the plan", "CABMIN", "2025"],
        ["4.1.4", "Unreadable", "CABMIN", "soon"],
        ["4.1.5", "Empty", "CABMIN", ""],
        ["4.1.6", "Fine", "CABMIN", "2021"],
    ]
    messages = assert_refused(
        plan,
        xlsx(rows),
        "row 2, implementation period: “2022–2020” ends before it starts — write the earlier year first, e.g. 2020–2022.",
        "row 3, implementation period: “2018–2021” lies outside the plan's years 2020–2024",
        "row 4, implementation period: “2025” lies outside",
        "row 5, implementation period: cannot read “soon”",
    )
    assert not any("row 7" in message for message in messages)
    # Row 6 has an executing body but an empty period: it is a measure with an error, not a heading.
    assert any(message.startswith("row 6, implementation period: empty") for message in messages)


# --- Malformed files ---------------------------------------------------------------------------


def test_unknown_agency_names_the_row_the_column_and_the_likely_agency(plan):
    rows = [OFFICIAL_HEADER, *[[f"4.1.{n}", "Measure", "CABMIN", "2021"] for n in range(1, 13)]]
    rows.append(["4.1.13", "Health checks", "Minstry of Health", "2021"])
    assert_refused(
        plan,
        xlsx(rows),
        "row 14, executing bodies: unknown agency “Minstry of Health” — did you mean “Ministry of Health”?",
    )


def test_an_agency_nothing_like_any_known_one_says_how_to_add_it(plan):
    messages = assert_refused(
        plan, xlsx([OFFICIAL_HEADER, ["4.1.1", "M", "Ministry of Magic", "2021"]]), "unknown agency “Ministry of Magic”"
    )
    assert "add the agency" in messages[0] and "did you mean" not in messages[0]


def test_an_ambiguous_name_is_never_guessed(plan):
    AgencyFactory(code="HEALTH", name_en="Health")
    AgencyFactory(code="HEALTH-2", name_en="health ")
    assert_refused(plan, xlsx([OFFICIAL_HEADER, ["4.1.1", "M", "Health", "2021"]]), "write the agency's code instead")


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["No.", "Measure", "Implementation period"], "Executing bodies"),
        (["Number", "Executing bodies", "Implementation period"], "Measure"),
        (["Measure", "Executing bodies", "Implementation period"], "No."),
    ],
)
def test_missing_columns_are_named(plan, header, missing):
    messages = assert_refused(plan, xlsx([header, ["4.1.1", "x", "y"]]), "The file has no column for")
    assert f"no column for “{missing}”. The header row" in messages[0]


def test_a_file_with_no_recognisable_header_says_what_to_write(plan):
    assert_refused(plan, xlsx([["Foo", "Bar"], ["1", "2"]]), "No header row found")


def test_two_columns_read_as_the_same_are_refused(plan):
    assert_refused(
        plan, xlsx([[*OFFICIAL_HEADER, "Title"], ["4.1.1", "A", "CABMIN", "2021", "B"]]), "are both read as “Measure”"
    )


def test_unknown_columns_are_left_out_with_a_notice(plan):
    preview = preview_of(plan, xlsx([[*OFFICIAL_HEADER, "Notes"], ["4.1.1", "A", "CABMIN", "2021", "ignore me"]]))
    assert preview.is_valid
    assert any("“Notes”" in notice for notice in preview.notices)


def test_empty_rows_are_skipped_not_errors(plan):
    rows = [OFFICIAL_HEADER, ["", "", "", ""], GOOD_ROWS[1], [None, None, None, None], ["  ", "", "", ""], GOOD_ROWS[2]]
    preview = preview_of(plan, xlsx(rows))
    assert preview.is_valid and [row.row for row in preview.rows] == [3, 6]


def test_duplicate_numbers_name_both_rows(plan):
    rows = [*GOOD_ROWS, ["4.1.1", "Again", "CABMIN", "2021"]]
    assert_refused(plan, xlsx(rows), "row 4, No.: measure 4.1.1 is also on row 2")


def test_a_measure_without_number_or_text_is_an_error(plan):
    assert_refused(
        plan,
        xlsx(
            [
                OFFICIAL_HEADER,
                ["", "A measure", "CABMIN", "2021"],
                ["4.1.2", "", "CABMIN", "2021"],
                ["4.1.x!", "M", "CABMIN", "2021"],
            ]
        ),
        "row 2, No.: empty — every measure needs its number",
        "row 3, measure: empty",
        "row 4, No.: “4.1.x!” is not a measure number",
    )


def test_a_measure_whose_area_cannot_be_found_says_how_to_fix_it(plan):
    assert_refused(
        plan, xlsx([OFFICIAL_HEADER, ["7.2.1", "M", "CABMIN", "2021"]]), "row 2, area: no area for measure 7.2.1"
    )


def test_a_file_over_the_size_limit_is_refused(plan, settings):
    settings.IMPORT_MAX_BYTES = 1000
    content = csv_bytes(
        [OFFICIAL_HEADER, *[[f"4.1.{n}", "A long measure text " * 3, "CABMIN", "2021"] for n in range(30)]]
    )
    assert len(content) > 1000
    assert_refused(plan, content, "the largest file accepted is 1 KB", name="plan.csv")


def test_an_old_excel_file_is_refused_with_advice(plan):
    assert_refused(plan, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "save it as .xlsx", name="plan.xls")


def test_a_broken_workbook_is_refused(plan):
    assert_refused(plan, b"PK\x03\x04 not really a zip", "could not be opened as an Excel workbook")


def test_csv_in_windows_1251_is_read(plan):
    rows = [
        ["No.", "Наименование мероприятия", "Исполнители", "Срок исполнения"],
        ["4.1.1", "Подготовить предложения", "Кабинет министров", "2020–2022 годы"],
    ]
    content = csv_bytes(rows, encoding="cp1251", delimiter=";")
    import_apply(edition=plan, filename="plan.csv", content=content)
    measure = Measure.objects.get(number="4.1.1")
    assert (measure.title_ru, measure.period_text_ru) == ("Подготовить предложения", "2020–2022 годы")


def test_csv_with_a_byte_order_mark_is_read(plan):
    content = csv_bytes(GOOD_ROWS, bom=True)
    preview = preview_of(plan, content, name="plan.csv")
    assert preview.is_valid and preview.counts["new"] == 2


def test_a_bad_csv_in_windows_1251_still_names_its_problems_and_writes_nothing(plan):
    rows = [
        ["No.", "Наименование мероприятия", "Исполнители", "Срок исполнения"],
        ["4.1.1", "Подготовить", "Министрество здравоохранения", "2020"],
    ]
    assert_refused(
        plan, csv_bytes(rows, encoding="cp1251"), "did you mean “Министерство здравоохранения”?", name="plan.csv"
    )


def test_the_official_annex_with_merged_cells_headings_and_column_numbers(plan):
    """As the annex is published: a title over the table, column numbers under the header,
    area headings merged across the table, and one executing body merged down several measures."""
    rows = [
        ["No.", "Tədbirin adı", "İcraçı orqanlar", "İcra müddəti (illər)"],
        ["1", "2", "3", "4"],
        ["4.2. Maarifləndirmə və profilaktika", None, None, None],
        ["4.2.1", "Maarifləndirmə kampaniyaları", "Səhiyyə Nazirliyi", "2020–2024"],
        ["4.2.2", "Tədris materialları", None, "2021"],
        ["4.2.3", "Sosial reklamlar", None, "daimi"],
    ]
    content = xlsx(rows, title_rows=[["Milli Fəaliyyət Planı"], []], merges=["A1:D1", "A5:D5", "C6:C8"])
    preview = preview_of(plan, content)
    assert preview.is_valid, [str(p) for p in preview.problems]
    assert [row.action for row in preview.rows] == [Action.HEADING, Action.NEW, Action.NEW, Action.NEW]
    import_apply(edition=plan, filename="annex.xlsx", content=content)
    area = Area.objects.get(edition=plan, code="4.2")
    assert area.title_az == "Maarifləndirmə və profilaktika"
    measures = Measure.objects.filter(edition=plan).order_by("sort_key")
    assert [m.number for m in measures] == ["4.2.1", "4.2.2", "4.2.3"]
    assert all(m.area_id == area.pk for m in measures)
    assert all(m.assignments.get().agency.code == "MOH" for m in measures)


def test_merged_cells_in_a_bad_annex_still_give_row_and_column(plan):
    rows = [OFFICIAL_HEADER, ["4.1.1", "A", "Minstry of Health", "2021"], ["4.1.2", "B", None, "2021"]]
    assert_refused(
        plan,
        xlsx(rows, merges=["C2:C3"]),
        "row 2, executing bodies: unknown agency",
        "row 3, executing bodies: unknown agency",
    )


def test_an_empty_table_is_refused(plan):
    assert_refused(plan, xlsx([OFFICIAL_HEADER]), "no measures under it")


# --- Export, template and round trip -------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_what_an_export_writes_an_import_reads_back(demo, file_format):
    source = Edition.objects.get(code="NAP-2020-2024")
    exported = export_edition(edition=source, file_format=file_format)
    preview = import_preview(edition=source, filename=exported.filename, content=exported.content)
    assert (
        preview.is_valid and preview.counts["unchanged"] == source.measures.count() and preview.counts["changed"] == 0
    )

    copy = Edition.objects.create(
        country=CountryFactory(),
        code="COPY",
        title_en="Copy",
        start_year=2020,
        end_year=2024,
        approved_on=source.approved_on,
    )
    import_apply(edition=copy, filename=exported.filename, content=exported.content)

    # The spreadsheet is the plan as adopted: a revised deadline stays a revision of the plan's own date.
    def shape(edition):
        return {
            (m.number, m.title_en, m.title_az, m.period_text_en, m.start_date, m.original_deadline or m.deadline,
             m.area.code, m.area.pillar, frozenset((a.agency_id, a.part, a.is_lead) for a in m.assignments.all()))
            for m in edition.measures.with_original_deadline().select_related("area").prefetch_related("assignments")
        }  # fmt: skip

    assert shape(copy) == shape(source)


def test_the_older_plan_round_trips_too(demo):
    source = Edition.objects.get(code="NAP-2014-2018")
    exported = export_edition(edition=source)
    preview = import_preview(edition=source, filename=exported.filename, content=exported.content)
    assert preview.counts == {"new": 0, "changed": 0, "unchanged": source.measures.count(), "error": 0}


def test_the_template_has_every_column_and_explains_each(db):
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(import_template().content))
    measures, guide = workbook.worksheets
    headers = [cell.value for cell in measures[1]]
    assert headers[:1] == ["No."] and "Executing bodies" in headers and "Measure (az)" in headers
    assert all(match_header(header) is not None for header in headers)
    explained = [row[0].value for row in guide.iter_rows(min_row=2) if row[0].value in headers]
    assert explained == headers


def test_preview_costs_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    source = Edition.objects.get(code="NAP-2020-2024")
    exported = export_edition(edition=source)
    # agencies, areas, measures, their assignments, the assignments' agencies, their indicators, their budget lines,
    # the funding sources, the recommendations with their sources (one join), the measures' recommendations
    with django_assert_max_num_queries(10):
        import_preview(edition=source, filename=exported.filename, content=exported.content)


def test_a_heading_covers_only_the_measures_numbered_under_it(plan):
    rows = [
        OFFICIAL_HEADER,
        ["4.2 Awareness", None, None, None],
        ["4.2.1", "A", "CABMIN", "2021"],
        ["4.1.1", "B", "CABMIN", "2021"],
    ]
    preview = preview_of(plan, xlsx(rows))
    assert [(row.number, row.area) for row in preview.rows] == [("4.2", "4.2"), ("4.2.1", "4.2"), ("4.1.1", "4.1")]


def test_an_area_title_too_long_for_the_plan_is_an_error_not_a_crash(plan):
    rows = [
        OFFICIAL_HEADER,
        ["4.9 " + "Awareness and prevention " * 15, None, None, None],
        ["4.9.1", "A", "CABMIN", "2021"],
    ]
    preview = preview_of(plan, xlsx(rows))
    assert not preview.is_valid
    assert any("longer than 300" in str(problem) for problem in preview.problems)


# --- The annex as governments publish it -----------------------------------------------------

ANNEX_TITLE = [
    ["Azərbaycan Respublikası Prezidentinin 2020-ci il 22 iyul tarixli 2173 nömrəli Sərəncamı ilə təsdiq edilmişdir"],
    ["İnsan alverinə qarşı mübarizəyə dair 2020–2024-cü illər üçün Milli Fəaliyyət Planı"],
]
ANNEX_HEADER_AZ = ["Sıra №-si", "Tədbirlər", "İcraçı orqanlar", "İcra müddəti (illər)"]
ANNEX_ROWS_AZ = [
    ANNEX_HEADER_AZ,
    [1, 2, 3, 4],
    ["4.1. Hüquqi bazanın və institusional mexanizmlərin təkmilləşdirilməsi", None, None, None],
    [
        "4.1.1.",
        "Qanunvericiliyin „İnsan varlıqlarının alverinə qarşı fəaliyyət haqqında“ Avropa Şurası Konvensiyasına "
        "uyğunlaşdırılması ilə bağlı təkliflərin hazırlanması",
        "Nazirlər Kabineti",
        "2020–2022",
    ],
    [
        "4.1.2.",
        "«İnsan orqanlarının alverinə qarşı» Avropa Şurası Konvensiyasına qoşulma ilə bağlı təkliflərin hazırlanması",
        "Nazirlər Kabineti",
        "2020-2021",
    ],
    [
        "4.1.3.",
        "İnsan alverindən zərər çəkmiş şəxslərin, xüsusilə uşaqların müəyyənləşdirilməsi indikatorlarının "
        "təkmilləşdirilməsi",
        "Daxili İşlər Nazirliyi İnsan Alverinə qarşı Mübarizə Baş İdarəsi,\nSəhiyyə Nazirliyi",
        "2020 — 2024",
    ],
    ["4.2. Maarifləndirmə və profilaktika", None, None, None],
    [
        "4.2.1.",
        "Tibb işçiləri üçün tədris materiallarının hazırlanması",
        "Səhiyyə Nazirliyi, Nazirlər Kabineti",
        "2021",
    ],
    ["4.2.2.", "Sosial reklamların və qısametrajlı filmlərin hazırlanması", "Səhiyyə Nazirliyi", "2020–2024 (hər il)"],
]
# The title spans the table, so does each section heading; rows 1–2 are the title, 3 the header, 4 the column numbers.
ANNEX_MERGES = ["A1:D1", "A2:D2", "A5:D5", "A9:D9"]


def annex(rows=ANNEX_ROWS_AZ):
    return xlsx(rows, title_rows=ANNEX_TITLE, merges=ANNEX_MERGES)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Sıra №-si", "number"),
        ("SIRA №-Sİ", "number"),
        ("№", "number"),
        ("S/№", "number"),
        ("№ п/п", "number"),
        ("№\nп/п", "number"),
        ("No.", "number"),
        ("N", "number"),
        ("№'si", "number"),
        ("Tədbirlər", "title_az"),
        ("Tədbirin adı", "title_az"),
        ("Tədbirin\nadı:", "title_az"),
        ("“Tədbirlər”", "title_az"),
        ("Мероприятия", "title_ru"),
        ("«Мероприятия»", "title_ru"),
        ("İcraçı orqanlar", "executing"),
        ("İCRAÇI\u00a0ORQANLAR", "executing"),
        ("Исполнители", "executing"),
        ("Исполнительные органы", "executing"),
        ("İcra müddəti (illər)", "period_text_az"),
        ("İcra müddəti, illər", "period_text_az"),
        ("İcra müd\u00addəti\n(illər)", "period_text_az"),
        ("Срок исполнения (годы)", "period_text_ru"),
        ("Срок исполнения, годы", "period_text_ru"),
        ("Срок выполнения", "period_text_ru"),
    ],
)
def test_headers_of_the_published_annexes_are_recognised(header, key):
    assert match_header(header).key == key


@pytest.mark.parametrize(
    "header",
    ["Qeyd", "Qeydlər", "Примечание", "Nazirliyin adı", "Tədbirin nəticəsi", "İcra vəziyyəti", "E-poçt", "Check-in"],
)
def test_forgiving_matching_does_not_read_unrelated_headers_as_columns(header):
    assert match_header(header) is None


def test_the_annex_as_published_in_azerbaijani_is_read_and_imported(plan):
    content = annex()
    preview = preview_of(plan, content, name="annex.xlsx")
    assert preview.is_valid, [str(p) for p in preview.problems]
    assert [column.key for column in preview.columns] == ["number", "title_az", "executing", "period_text_az"]
    assert [(row.action, row.number, row.area) for row in preview.rows] == [
        (Action.HEADING, "4.1", "4.1"),
        (Action.NEW, "4.1.1", "4.1"),
        (Action.NEW, "4.1.2", "4.1"),
        (Action.NEW, "4.1.3", "4.1"),
        (Action.HEADING, "4.2", "4.2"),
        (Action.NEW, "4.2.1", "4.2"),
        (Action.NEW, "4.2.2", "4.2"),
    ]
    assert not any("is not one the import reads" in notice for notice in preview.notices)

    import_apply(edition=plan, filename="annex.xlsx", content=content)
    assert Area.objects.get(edition=plan, code="4.2").title_az == "Maarifləndirmə və profilaktika"
    measures = {m.number: m for m in Measure.objects.filter(edition=plan).select_related("area")}
    assert sorted(measures) == ["4.1.1", "4.1.2", "4.1.3", "4.2.1", "4.2.2"]
    assert measures["4.1.1"].title_az.startswith("Qanunvericiliyin „İnsan varlıqlarının alverinə qarşı")
    assert measures["4.1.2"].title_az.startswith("«İnsan orqanlarının alverinə qarşı» Avropa Şurası")
    assert {number: (m.period_text_az, m.start_date, m.deadline) for number, m in measures.items()} == {
        "4.1.1": ("2020–2022", date(2020, 7, 22), date(2022, 12, 31)),
        "4.1.2": ("2020-2021", date(2020, 7, 22), date(2021, 12, 31)),
        "4.1.3": ("2020 — 2024", date(2020, 7, 22), date(2024, 12, 31)),
        "4.2.1": ("2021", date(2021, 1, 1), date(2021, 12, 31)),
        "4.2.2": ("2020–2024 (hər il)", date(2020, 7, 22), date(2024, 12, 31)),
    }
    bodies = {
        number: {(a.agency.code, a.part) for a in m.assignments.select_related("agency")}
        for number, m in measures.items()
    }
    assert bodies["4.1.1"] == {("CABMIN", "executing")}
    assert bodies["4.1.3"] == {("MIA-MDCTHB", "executing"), ("MOH", "executing")}
    assert bodies["4.2.1"] == {("MOH", "executing"), ("CABMIN", "executing")}


def test_the_annex_with_russian_headers_is_read_and_imported(plan):
    rows = [
        ["№ п/п", "Мероприятия", "Исполнители", "Срок исполнения (годы)"],
        [1, 2, 3, 4],
        ["4.1. Совершенствование правовой базы и институциональных механизмов", None, None, None],
        [
            "4.1.1.",
            "Подготовка предложений по приведению законодательства в соответствие с Конвенцией Совета Европы "
            "«О противодействии торговле людьми»",
            "Кабинет министров",
            "2020–2022 гг.",
        ],
        ["4.1.2.", "Подготовка учебных материалов", "Кабинет министров,\nМинистерство здравоохранения", "2021 г."],
        ["4.1.3.", "Информационные кампании", "Министерство здравоохранения", "2020 — 2024 (ежегодно)"],
    ]
    content = annex(rows)
    preview = preview_of(plan, content, name="annex.xlsx")
    assert preview.is_valid, [str(p) for p in preview.problems]
    assert [column.key for column in preview.columns] == ["number", "title_ru", "executing", "period_text_ru"]
    import_apply(edition=plan, filename="annex.xlsx", content=content)
    measures = {m.number: m for m in Measure.objects.filter(edition=plan)}
    assert {number: (m.area.code, m.start_date, m.deadline) for number, m in measures.items()} == {
        "4.1.1": ("4.1", date(2020, 7, 22), date(2022, 12, 31)),
        "4.1.2": ("4.1", date(2021, 1, 1), date(2021, 12, 31)),
        "4.1.3": ("4.1", date(2020, 7, 22), date(2024, 12, 31)),
    }
    assert measures["4.1.1"].title_ru.endswith("«О противодействии торговле людьми»")
    assert {a.agency.code for a in measures["4.1.2"].assignments.select_related("agency")} == {"CABMIN", "MOH"}


def test_an_annex_whose_header_cannot_be_read_names_what_it_found(plan):
    rows = [row[:] for row in ANNEX_ROWS_AZ]
    rows[0] = ["Sıra №-si", "Tədbirlər", "Qeyd", "İcra müddəti (illər)"]
    messages = assert_refused(
        plan,
        annex(rows),
        "The file has no column for “Executing bodies”. The header row (row 3) reads: “Sıra №-si”, “Tədbirlər”, "
        "“Qeyd”, “İcra müddəti (illər)”.",
    )
    assert len(messages) == 1


def test_an_annex_with_no_header_row_at_all_says_what_to_write(plan):
    rows = [row[:] for row in ANNEX_ROWS_AZ]
    rows[0] = ["Sıra", "Mətn", "Qurum", "Qeyd"]  # only one column recognisable
    assert_refused(plan, annex(rows), "No header row found. The first rows must name the columns")
