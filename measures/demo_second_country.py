"""The demo's second country: a small, clearly illustrative plan, so that the scoping by country is visible
on the first run — a coordinator of each country, a focal point, and the demo partner (IOM) following both
countries, with the switcher and the comparison page.

The content is data (`demo_data/second_country.json`), read by this loader. It adds only what is missing;
`remove_second_country` takes it away again (`load_demo --reset`)."""

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from measures.models import Area, Edition, Measure, MeasureAgency, ReportingPeriod, StatusUpdate
from nap_tracker.models import Agency, Country, User

DATA = Path(__file__).resolve().parent / "demo_data" / "second_country.json"


def second_country_data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def add_second_country(*, password_hash: str, parse_agencies) -> bool:
    """Add the second country, its bodies, people and plan. Says whether anything was added."""
    data = second_country_data()
    country, created = Country.objects.get_or_create(code=data["country"]["code"], defaults=data["country"])
    agencies = {}
    for code, kind, name_en, name_az, name_ru in data["agencies"]:
        agency, _new = Agency.objects.get_or_create(
            code=code, defaults={"kind": kind, "name_en": name_en, "name_az": name_az, "name_ru": name_ru}
        )
        agencies[code] = agency
    for agency in Agency.objects.filter(code__in=data["also_working_here"]):
        agencies[agency.code] = agency
    country.agencies.add(*agencies.values())
    if country.coordinator_office_id is None:
        country.coordinator_office = agencies[data["coordinator_office"]]
        country.save(update_fields=["coordinator_office"])

    people = {}
    for username, role, agency_code, first, last in data["people"]:
        person = User.objects.filter(username=username).first()
        if person is None:
            person = User(
                username=username,
                role=role,
                agency=agencies.get(agency_code),
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
            )
            person.password = password_hash
            person.save()
            created = True
        person.countries.add(country)
        people[username] = person
    # The demo partner follows both countries' plans: the switcher and the comparison page show it.
    for person in User.objects.filter(username__in=data["partners_following_both"]):
        person.countries.add(country)

    plan = data["plan"]
    if Edition.objects.filter(code=plan["code"]).exists():
        return created
    _load_plan(plan, country, agencies, people, parse_agencies)
    return True


def _load_plan(plan: dict, country: Country, agencies: dict, people: dict, parse_agencies):
    coordinator = next(p for p in people.values() if p.role == User.Role.COORDINATOR)
    edition = Edition.objects.create(
        country=country,
        code=plan["code"],
        title_en=plan["title_en"],
        title_ru=plan.get("title_ru", ""),
        start_year=plan["start_year"],
        end_year=plan["end_year"],
        state=plan["state"],
        published=plan["published"],
    )
    areas = {
        code: Area.objects.create(
            edition=edition, code=code, title_en=title, pillar=pillar, order=order, is_illustrative=True
        )
        for order, (code, pillar, title) in enumerate(plan["areas"], start=1)
    }
    periods = {
        label: ReportingPeriod.objects.create(
            edition=edition,
            label=label,
            start=date.fromisoformat(start),
            end=date.fromisoformat(end),
            due_date=date.fromisoformat(due),
        )
        for label, start, end, due in plan["periods"]
    }
    measures = {}
    for number, title, agency_spec, deadline in plan["measures"]:
        measure = Measure.objects.create(
            edition=edition,
            area=areas[number.split(".")[0]],
            number=number,
            title_en=title,
            deadline=date.fromisoformat(deadline),
            is_illustrative=True,
        )
        for code, part, is_lead in parse_agencies(agency_spec):
            MeasureAgency.objects.create(measure=measure, agency=agencies[code], part=part, is_lead=is_lead)
        measures[number] = measure

    authors = {person.agency_id: person for person in people.values() if person.agency_id}
    for number, code, label, status, progress, state, narrative in plan["updates"]:
        measure, agency, period = measures[number], agencies[code], periods[label]
        author = authors.get(agency.pk) or _focal_point(agency, country, people)
        update = StatusUpdate(
            measure=measure,
            agency=agency,
            period=period,
            status=status,
            progress=progress,
            narrative=narrative,
            language="en",
            state=state,
            author=author,
        )
        if state != StatusUpdate.State.DRAFT:
            update.submitted_at = _aware(period.due_date - timedelta(days=5))
        if state == StatusUpdate.State.APPROVED:
            update.reviewer = coordinator
            update.reviewed_at = _aware(period.due_date + timedelta(days=7))
        update.save()
        if state == StatusUpdate.State.APPROVED:
            # The measure shows its latest approved report, as an approval sets it.
            measure.status, measure.progress, measure.status_changed_at = status, progress, update.reviewed_at
            measure._history_user = coordinator
            measure.save(update_fields=["status", "progress", "status_changed_at"])


def _focal_point(agency: Agency, country: Country, people: dict) -> User:
    """The person who writes a body's updates when the data names none: made for it, like the main demo's."""
    username = f"demo-fp-{agency.code.lower()}"
    person = User.objects.filter(username=username).first()
    if person is None:
        role = User.Role.NGO if agency.kind == Agency.Kind.NGO else User.Role.FOCAL_POINT
        person = User.objects.create(
            username=username, role=role, agency=agency, first_name="Focal point", last_name=agency.code
        )
        person.set_unusable_password()
        person.save(update_fields=["password"])
    person.countries.add(country)
    people[username] = person
    return person


def remove_second_country():
    """Delete the second country's demo plan and people (its country and bodies stay, as the main demo's do)."""
    data = second_country_data()
    plan_code = data["plan"]["code"]
    StatusUpdate.objects.filter(measure__edition__code=plan_code).delete()
    Measure.objects.filter(edition__code=plan_code).delete()
    Edition.objects.filter(code=plan_code).delete()
    usernames = [person[0] for person in data["people"]]
    User.objects.filter(username__in=usernames).delete()
