import io

import pytest
from django.core.management import CommandError, call_command

from measures.models import (
    Area,
    Edition,
    Measure,
    MeasureAgency,
    ReportingPeriod,
    Status,
    StatusUpdate,
)
from nap_tracker.models import Agency, User
from tests.factories import CountryFactory

pytestmark = pytest.mark.django_db

COUNTED = [Agency, User, Edition, Area, Measure, MeasureAgency, ReportingPeriod, StatusUpdate]


def counts():
    tables = {model.__name__: model.objects.count() for model in COUNTED}
    tables["history"] = sum(
        model.history.count() for model in [Agency, Edition, Area, Measure, MeasureAgency, StatusUpdate]
    )
    return tables


def run(*args, **options):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def debug_on(settings):
    settings.DEBUG = True


def test_running_twice_changes_nothing():
    run()
    first = counts()
    output = run()
    assert counts() == first
    assert "already loaded; nothing changed" in output


def test_reset_replaces_the_demo_with_the_same_amount_of_data():
    run()
    first = counts()
    Measure.objects.filter(number="4.1.1").update(title_en="Edited by someone")
    run(reset=True)
    after = counts()
    assert {k: v for k, v in after.items() if k != "history"} == {k: v for k, v in first.items() if k != "history"}
    assert Measure.objects.get(edition__code="NAP-2020-2024", number="4.1.1").title_en.startswith("Prepare proposals")


def test_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        run()
    assert not Edition.objects.exists()
    run(force=True)
    # Azerbaijan's two plans and the second country's illustrative one.
    assert Edition.objects.count() == 3


def test_if_empty_leaves_a_database_with_plans_alone():
    Edition.objects.create(
        country=CountryFactory(), code="NAP-OWN", title_en="Our own plan", start_year=2025, end_year=2029
    )
    output = run(if_empty=True)
    assert "not loaded" in output
    assert Edition.objects.count() == 1


def test_both_plans_with_their_official_facts():
    run()
    nap14 = Edition.objects.get(code="NAP-2014-2018")
    nap20 = Edition.objects.get(code="NAP-2020-2024")
    assert "No. 667" in nap14.legal_basis_en and str(nap14.approved_on) == "2014-07-24"
    assert "No. 2173" in nap20.legal_basis_en and str(nap20.approved_on) == "2020-07-22"
    assert nap14.measures.count() >= 40 and nap20.measures.count() >= 40
    official = Measure.objects.get(edition=nap20, number="4.1.1")
    assert not official.is_illustrative
    assert "Council of Europe Convention" in official.title_en
    assert list(official.assignments.filter(is_lead=True).values_list("agency__code", flat=True)) == ["CABMIN"]
    for number in ["4.2", "4.3", "4.4", "9.1", "13.2.3"]:
        assert not Measure.objects.get(edition=nap14, number=number).is_illustrative
    # Everything whose official wording is not known is flagged.
    assert Measure.objects.filter(is_illustrative=True).count() > 60


def test_at_least_25_real_bodies_named_in_english_and_azerbaijani():
    run()
    named = Agency.objects.exclude(name_en="").exclude(name_az="")
    assert named.count() >= 25
    assert Agency.objects.get(code="MLSPP").name_az == "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi"


def test_measures_carried_from_2014_into_2020_are_linked():
    run()
    carried = Measure.objects.filter(edition__code="NAP-2020-2024", continues__isnull=False)
    assert carried.count() >= 5
    assert set(carried.values_list("continues__edition__code", flat=True)) == {"NAP-2014-2018"}
    hotline = Measure.objects.get(edition__code="NAP-2020-2024", number="4.2.6")
    assert hotline.continues.number == "4.3"


def test_half_yearly_periods_and_updates_in_every_workflow_state():
    run()
    labels = list(ReportingPeriod.objects.filter(edition__code="NAP-2020-2024").values_list("label", flat=True))
    assert labels[:3] == ["2020 H2", "2021 H1", "2021 H2"] and labels[-1] == "2024 H2"
    states = set(StatusUpdate.objects.values_list("state", flat=True))
    assert states == {state.value for state in StatusUpdate.State}
    focal = User.objects.get(username="focal")
    assert set(StatusUpdate.objects.filter(agency=focal.agency).values_list("state", flat=True)) == states
    returned = StatusUpdate.objects.filter(state="returned")
    assert all(update.review_note for update in returned)


def test_measure_status_is_that_of_its_latest_approved_update():
    run()
    for measure in Measure.objects.filter(edition__code="NAP-2020-2024"):
        latest = (
            measure.updates.filter(
                state="approved", agency__assignments__measure=measure, agency__assignments__is_lead=True
            )
            .order_by("-period__start")
            .first()
        )
        if measure.consolidated_status:
            # The coordinator's office settled it, with a note: that status is in force.
            assert (measure.status, measure.progress) == (measure.consolidated_status, measure.consolidated_progress)
            assert measure.consolidated_note
        elif latest is None:
            assert measure.status == Status.NOT_STARTED
        else:
            assert (measure.status, measure.progress) == (latest.status, latest.progress), measure.number


def test_ngo_assessments_agree_but_one_and_one_status_is_consolidated():
    from measures import assessments
    from measures.selectors import ngo_assessments

    run()
    measures = {m.pk: m for m in Measure.objects.filter(edition__code="NAP-2020-2024")}
    found = ngo_assessments(measures)
    disagreeing = [
        measures[pk].number
        for pk, update in found.items()
        if assessments.disagree(measures[pk].status, measures[pk].progress, update.status, update.progress)
    ]
    assert len(found) >= 5 and disagreeing == ["4.1.4"]
    assert [m.number for m in measures.values() if m.consolidated_status] == ["4.1.4"]


def test_one_restricted_detail_and_one_restricted_file():
    from measures.models import Evidence

    run()
    restricted = StatusUpdate.objects.exclude(restricted_details="")
    assert [(u.measure.number, u.agency.code, u.state) for u in restricted] == [("4.1.4", "MLSPP", "approved")]
    files = Evidence.objects.filter(restricted=True)
    assert [(e.update.measure.number, e.update.agency.code) for e in files] == [("4.1.4", "MLSPP")]


def test_one_demo_person_per_role_with_the_demo_password(settings):
    settings.DEMO_PASSWORD = "a-demo-password"
    output = run()
    expected = {
        "admin": ("admin", None),
        "coordinator": ("coordinator", "MIA-MDCTHB"),
        "focal": ("focal_point", "MLSPP"),
        "ngo": ("ngo", "CLEAN-WORLD"),
        "partner": ("partner", "IOM"),
    }
    for username, (role, agency) in expected.items():
        person = User.objects.get(username=username)
        assert person.role == role
        assert (person.agency.code if person.agency else None) == agency
        assert person.check_password("a-demo-password")
        assert username in output
    assert "a-demo-password" in output


def test_a_small_illustrative_second_country_shows_the_scoping():
    from nap_tracker.models import Country

    run()
    georgia = Country.objects.get(code="ge")
    plan = Edition.objects.get(country=georgia)
    assert "illustrative" in plan.title_en.lower()
    assert plan.measures.count() == plan.measures.filter(is_illustrative=True).count() > 0
    assert StatusUpdate.objects.filter(measure__edition=plan).exists()
    # The demo partner (IOM) follows both countries; the coordinators one each; the administrator all.
    assert set(User.objects.get(username="partner").countries.values_list("code", flat=True)) == {"az", "ge"}
    assert list(User.objects.get(username="coordinator-ge").countries.values_list("code", flat=True)) == ["ge"]
    assert list(User.objects.get(username="coordinator").countries.values_list("code", flat=True)) == ["az"]
    assert not User.objects.get(username="admin").countries.exists()
    # Every Azerbaijani plan and body is Azerbaijan's; IOM works in both.
    assert not Edition.objects.exclude(country=georgia).exclude(country__code="az").exists()
    assert set(Agency.objects.get(code="IOM").countries.values_list("code", flat=True)) == {"az", "ge"}
