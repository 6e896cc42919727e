"""Demo data: both of Azerbaijan's action plans, the bodies named in them, people and updates.

`load_demo()` only adds what is missing, so running it twice changes nothing;
`reset=True` deletes the demo plans, their updates and the demo people first.
Narratives and figures are generated from a fixed seed: the same every time.
"""

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from measures.demo_agencies import AGENCIES, COORDINATOR_OFFICE, COUNTRY
from measures.demo_files import simple_pdf
from measures.demo_plans import AREA_TITLES_AZ, NAP_2014, NAP_2020, TITLES_AZ
from measures.demo_recommendations import add_recommendations, remove_recommendations
from measures.demo_results import add_results
from measures.demo_second_country import add_second_country, remove_second_country
from measures.models import (
    Area,
    DeadlineRevision,
    Edition,
    Evidence,
    Measure,
    MeasureAgency,
    Notification,
    PeriodChange,
    ReportingPeriod,
    Status,
    StatusUpdate,
    UpdateEvent,
)
from measures.services import DEADLINE_REVISION_REASON
from nap_tracker.models import Agency, Country, User

PLANS = [NAP_2014, NAP_2020]
DEMO_USER_PREFIX = "demo-fp-"

# username, role, agency code, first name, last name
DEMO_PEOPLE = [
    ("admin", User.Role.ADMIN, None, "Rashad", "Aliyev"),
    ("coordinator", User.Role.COORDINATOR, "MIA-MDCTHB", "Leyla", "Mammadova"),
    ("focal", User.Role.FOCAL_POINT, "MLSPP", "Aysel", "Huseynova"),
    ("ngo", User.Role.NGO, "CLEAN-WORLD", "Nigar", "Karimova"),
    ("partner", User.Role.PARTNER, "IOM", "Daniel", "Weber"),
]

# Every narrative below, and every other text of the demo's updates, is written in English: the updates
# say so (`StatusUpdate.language`), and pages and reports in Azerbaijani or Russian mark them.
NARRATIVE_LANGUAGE = "en"

REGIONS = ["Baku", "Ganja", "Sumgait", "Lankaran", "Shaki", "Mingachevir", "Guba", "Shirvan", "Barda", "Jalilabad"]

NARRATIVES = {
    "prevention": [
        "Held {a} awareness sessions in schools and colleges of {r1} and {r2}, reaching {b} pupils and students. "
        "Leaflets in Azerbaijani and Russian with the 152 hotline number were distributed.",
        "Prepared {a} television and radio spots; they were broadcast {b} times on national channels. "
        "Posts on social networks were seen by about {c} people.",
        "Organised {a} meetings with young people in {r1} together with local executive authorities; {b} participants.",
    ],
    "protection": [
        "{a} identified victims received shelter, medical and psychological aid; {b} were helped with legal questions "
        "and {c} found jobs through the State Employment Agency.",
        "Case management for {a} victims continued in {r1}; {b} completed their rehabilitation programme and returned home.",
        "One-off allowances were paid to {a} victims; {b} were enrolled in vocational courses in {r1}.",
    ],
    "prosecution": [
        "{a} criminal cases under Article 144-1 of the Criminal Code were investigated; {b} were sent to court. "
        "{c} suspects were charged.",
        "Held {a} training sessions for {b} investigators, prosecutors and judges in {r1} and {r2}.",
        "{a} joint operations with the State Border Service; {b} persons were checked against the indicators of trafficking.",
    ],
    "partnership": [
        "Held {a} working meetings with international partners; a joint project plan for {y} was agreed.",
        "Exchanged information on {a} cases with foreign counterparts; {b} citizens were assisted to return home.",
        "{a} NGO projects received grants; they reached about {c} people in {r1}, {r2} and other regions.",
    ],
    "coordination": [
        "The draft was discussed at the working group meeting and sent to the executing bodies for comments; "
        "comments from {a} bodies were taken into account.",
        "Collected reports from {a} central and {b} local authorities and prepared the summary for the National Coordinator.",
        "An inter-agency meeting was held on {d}; the next steps and responsible officials were agreed.",
    ],
}

NOT_STARTED = [
    "Work has not started: the draft terms of reference are still being agreed with the bodies concerned.",
    "Not started in this period; funding is expected from the next year's budget.",
]

RETURN_NOTES = [
    "Please give the number of participants by sex and age, and name the regions covered.",
    "The narrative repeats the previous period. Please describe what was done in this period and attach the minutes.",
    "Progress of 90% does not match the narrative. Please explain what remains to be done, or correct the figure.",
]


@dataclass
class DemoResult:
    agencies: int
    editions: int
    measures: int
    updates: int
    users: int
    created: bool


def _parse_agencies(spec: str):
    """'MLSPP*,SSA,r:PGO,p:IOM' → [(code, part, is_lead), …]"""
    parts = []
    for token in spec.split(","):
        token = token.strip()
        part = MeasureAgency.Part.EXECUTING
        if token.startswith("r:"):
            part, token = MeasureAgency.Part.RECOMMENDED, token[2:]
        elif token.startswith("p:"):
            part, token = MeasureAgency.Part.PARTNER, token[2:]
        is_lead = token.endswith("*")
        parts.append((token.rstrip("*"), part, is_lead))
    return parts


def _half_year_periods(start_year: int, end_year: int, first_half: int = 2):
    """Half-year reporting periods, from the half in which the plan was approved to the plan's end."""
    periods = []
    for year in range(start_year, end_year + 1):
        for half in (1, 2):
            if year == start_year and half < first_half:
                continue
            start = date(year, 1 if half == 1 else 7, 1)
            end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
            due = date(year, 7, 31) if half == 1 else date(year + 1, 1, 31)
            periods.append((f"{year} H{half}", start, end, due))
    return periods


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _narrative(rng: random.Random, pillar: str, period: ReportingPeriod, status: str = "") -> str:
    if status == Status.NOT_STARTED:
        return rng.choice(NOT_STARTED)
    template = rng.choice(NARRATIVES[pillar])
    r1, r2 = rng.sample(REGIONS, 2)
    return template.format(
        a=rng.randint(2, 14),
        b=rng.randint(15, 240),
        c=rng.randint(300, 9000),
        r1=r1,
        r2=r2,
        y=period.start.year + 1,
        d=(period.start + timedelta(days=rng.randint(20, 150))).strftime("%d.%m.%Y"),
    )


def _ramp(final_status: str, final_progress: int, step: int, steps: int) -> tuple[str, int]:
    """Status and progress of the step-th of `steps` yearly updates leading to the final ones."""
    if step == steps - 1:
        return final_status, final_progress
    progress = round(final_progress * (step + 1) / steps) if final_status != Status.NOT_STARTED else 0
    if final_status == Status.NOT_STARTED:
        return Status.NOT_STARTED, 0
    if final_status == Status.ONGOING:
        return Status.ONGOING, min(progress, 95)
    return Status.IN_PROGRESS, min(progress, 95)


def demo_is_loaded() -> bool:
    return Edition.objects.filter(code__in=[plan["code"] for plan in PLANS]).exists()


@transaction.atomic
def demo_reset():
    # First: its updates name demo focal points deleted below.
    remove_second_country()
    codes = [plan["code"] for plan in PLANS]
    for evidence in Evidence.objects.filter(update__measure__edition__code__in=codes):
        evidence.file.delete(save=False)
    StatusUpdate.objects.filter(measure__edition__code__in=codes).delete()
    Measure.objects.filter(edition__code__in=codes).update(continues=None)
    Measure.objects.filter(edition__code__in=codes).delete()
    Edition.objects.filter(code__in=codes).delete()
    usernames = [person[0] for person in DEMO_PEOPLE]
    User.objects.filter(username__in=usernames).delete()
    User.objects.filter(username__startswith=DEMO_USER_PREFIX).delete()
    remove_recommendations()


@transaction.atomic
def load_demo(*, password: str, reset: bool = False) -> DemoResult:
    if reset:
        demo_reset()
    created_any = False
    # Hash once: the password hasher is deliberately slow, and every demo person shares the password.
    password = make_password(password)

    country, created = Country.objects.get_or_create(code=COUNTRY["code"], defaults=COUNTRY)
    created_any |= created
    agencies = {}
    for code, kind, name_en, name_az, name_ru in AGENCIES:
        agency, created = Agency.objects.get_or_create(
            code=code, defaults={"kind": kind, "name_en": name_en, "name_az": name_az, "name_ru": name_ru}
        )
        agencies[code] = agency
        created_any |= created
    country.agencies.add(*agencies.values())
    if country.coordinator_office_id is None:
        country.coordinator_office = agencies[COORDINATOR_OFFICE]
        country.save(update_fields=["coordinator_office"])

    people = {}
    for username, role, agency_code, first, last in DEMO_PEOPLE:
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
            person.password = password
            person.save()
            # The demo's administrator is given no country: they administer the whole installation.
            if role != User.Role.ADMIN:
                person.countries.add(country)
            created_any = True
        people[username] = person

    if not demo_is_loaded():
        for plan in PLANS:
            _load_plan(plan, agencies, people, password)
        _link_continued_measures()
        created_any = True
    # Also added to a demo loaded before recommendations were kept.
    created_any |= add_recommendations(NAP_2020["code"])
    # A small, illustrative second country, so that one installation visibly serves several.
    created_any |= add_second_country(password_hash=password, parse_agencies=_parse_agencies)
    return _result(created_any)


def _result(created: bool) -> DemoResult:
    codes = [plan["code"] for plan in PLANS]
    return DemoResult(
        agencies=Agency.objects.count(),
        editions=Edition.objects.filter(code__in=codes).count(),
        measures=Measure.objects.filter(edition__code__in=codes).count(),
        updates=StatusUpdate.objects.filter(measure__edition__code__in=codes).count(),
        users=User.objects.count(),
        created=created,
    )


def _focal_point_for(agency: Agency, people: dict, password: str) -> User:
    """The person who writes an agency's updates: a demo user, or a focal point made for it."""
    for person in people.values():
        if person.agency_id == agency.pk and person.role in (User.Role.FOCAL_POINT, User.Role.NGO):
            return person
    username = DEMO_USER_PREFIX + agency.code.lower()
    person = User.objects.filter(username=username).first()
    if person is None:
        role = User.Role.NGO if agency.kind == Agency.Kind.NGO else User.Role.FOCAL_POINT
        person = User(username=username, role=role, agency=agency, first_name="Focal point", last_name=agency.code)
        person.email = f"{username}@example.org"
        person.password = password
        person.save()
        person.countries.add(*agency.countries.all())
    people[username] = person
    return person


def _load_plan(plan: dict, agencies: dict, people: dict, password: str):
    rng = random.Random(plan["code"])
    edition = Edition.objects.create(
        country=Country.objects.get(code=COUNTRY["code"]),
        code=plan["code"],
        title_en=plan["title_en"],
        title_az=plan["title_az"],
        title_ru=plan["title_ru"],
        start_year=plan["start_year"],
        end_year=plan["end_year"],
        approved_on=date.fromisoformat(plan["approved_on"]),
        legal_basis_en=plan["legal_basis_en"],
        legal_basis_az=plan["legal_basis_az"],
        legal_basis_ru=plan["legal_basis_ru"],
        state=plan["state"],
        published=plan["published"],
    )
    areas = {}
    for order, row in enumerate(plan["areas"], start=1):
        code, pillar, title = row[:3]
        official = row[3] if len(row) > 3 else False
        areas[code] = Area.objects.create(
            edition=edition,
            code=code,
            title_en=title,
            title_az=AREA_TITLES_AZ.get((plan["code"], code), ""),
            pillar=pillar,
            order=order,
            is_illustrative=not official,
        )

    periods = [
        ReportingPeriod.objects.create(edition=edition, label=label, start=start, end=end, due_date=due)
        for label, start, end, due in _half_year_periods(plan["start_year"], plan["end_year"])
    ]
    yearly = {period.start.year: period for period in periods if period.label.endswith("H2")}
    coordinator = people["coordinator"]
    is_active_plan = plan["state"] == Edition.State.ACTIVE

    updates = []
    for index, row in enumerate(plan["measures"]):
        number, title, agency_spec, period_text, start_year, end_year, official, final_status, final_progress = row[:9]
        # 4.1.1 sits in area 4.1; 13.2.3 of the 2014 plan sits in area 13.
        area = areas.get(number.rsplit(".", 1)[0]) or areas[number.split(".")[0]]
        measure = Measure.objects.create(
            edition=edition,
            area=area,
            number=number,
            title_en=title,
            title_az=TITLES_AZ.get((plan["code"], number), ""),
            period_text_en=period_text,
            start_date=date(start_year, 1, 1) if start_year > plan["start_year"] else edition.approved_on,
            deadline=date(end_year, 12, 31),
            is_illustrative=not official,
            financing_source_en="State budget and other sources not prohibited by law",
        )
        lead = None
        for code, part, is_lead in _parse_agencies(agency_spec):
            MeasureAgency.objects.create(measure=measure, agency=agencies[code], part=part, is_lead=is_lead)
            if is_lead:
                lead = agencies[code]
        author = _focal_point_for(lead, people, password)

        years = [year for year in range(start_year, end_year + 1) if year in yearly]
        last_approved = None
        for step, year in enumerate(years):
            period = yearly[year]
            status, progress = _ramp(final_status, final_progress, step, len(years))
            state = StatusUpdate.State.APPROVED
            if is_active_plan and step == len(years) - 1:
                state = _final_state(number, index)
            submitted = _aware(period.due_date - timedelta(days=rng.randint(1, 12)))
            update = StatusUpdate(
                measure=measure,
                agency=lead,
                period=period,
                status=status,
                progress=progress,
                narrative=_narrative(rng, area.pillar, period, status),
                language=NARRATIVE_LANGUAGE,
                state=state,
                author=author,
            )
            if state != StatusUpdate.State.DRAFT:
                update.submitted_at = submitted
            if state in (StatusUpdate.State.APPROVED, StatusUpdate.State.RETURNED):
                update.reviewer = coordinator
                update.reviewed_at = submitted + timedelta(days=rng.randint(3, 20))
            if state == StatusUpdate.State.RETURNED:
                update.review_note = rng.choice(RETURN_NOTES)
            if state == StatusUpdate.State.APPROVED:
                last_approved = update
            updates.append(update)

        if last_approved:
            measure.status = last_approved.status
            measure.progress = last_approved.progress
            measure.status_changed_at = last_approved.reviewed_at
            # The history says who moved the status: the coordinator's approval, not "the system".
            measure._history_user = coordinator
            measure.save(update_fields=["status", "progress", "status_changed_at"])

        # NGOs report as partners too, on the plan still running: an independent assessment of the
        # year before, approved, that agrees with the status in force (but for one, see
        # DISAGREEING_ASSESSMENTS), and this year's, somewhere in the workflow.
        if is_active_plan:
            for code, part, _lead in _parse_agencies(agency_spec):
                if part == MeasureAgency.Part.PARTNER and agencies[code].kind == Agency.Kind.NGO and years:
                    partner = agencies[code]
                    author = _focal_point_for(partner, people, password)
                    if len(years) > 1:
                        period = yearly[years[-2]]
                        status, progress, narrative = _agreeing(last_approved)
                        status, progress, narrative = DISAGREEING_ASSESSMENTS.get(
                            (number, code), (status, progress, narrative or _narrative(rng, area.pillar, period))
                        )
                        updates.append(
                            StatusUpdate(
                                measure=measure,
                                agency=partner,
                                period=period,
                                status=status,
                                progress=progress,
                                narrative=narrative,
                                language=NARRATIVE_LANGUAGE,
                                state=StatusUpdate.State.APPROVED,
                                author=author,
                                submitted_at=_aware(period.due_date - timedelta(days=3)),
                                reviewer=coordinator,
                                reviewed_at=_aware(period.due_date + timedelta(days=12)),
                            )
                        )
                    period = yearly[years[-1]]
                    state = [StatusUpdate.State.DRAFT, StatusUpdate.State.SUBMITTED, StatusUpdate.State.APPROVED][
                        index % 3
                    ]
                    status, progress, _text = _agreeing(last_approved)
                    update = StatusUpdate(
                        measure=measure,
                        agency=partner,
                        period=period,
                        status=status if state == StatusUpdate.State.APPROVED else Status.IN_PROGRESS,
                        progress=progress if state == StatusUpdate.State.APPROVED else min(final_progress, 90),
                        narrative=_narrative(rng, area.pillar, period),
                        language=NARRATIVE_LANGUAGE,
                        state=state,
                        author=author,
                    )
                    if state != StatusUpdate.State.DRAFT:
                        update.submitted_at = _aware(period.due_date - timedelta(days=2))
                    if state == StatusUpdate.State.APPROVED:
                        update.reviewer = coordinator
                        update.reviewed_at = _aware(period.due_date + timedelta(days=9))
                    updates.append(update)

    bulk_create_with_history(updates, StatusUpdate, batch_size=500)
    _record_threads(edition)
    _attach_evidence(edition)
    if edition.code == "NAP-2020-2024":
        add_results(edition, rng)
    if is_active_plan:
        _revise_deadlines(edition, coordinator)
        _close_periods(edition, coordinator)
        _restricted_report(edition, agencies, people)
        _consolidate(edition, coordinator)


def _agreeing(last_approved: StatusUpdate | None) -> tuple[str, int, str]:
    """An NGO's status and progress close to the status in force: the same status, a little less progress."""
    if last_approved is None:
        return Status.NOT_STARTED, 0, ""
    if last_approved.status == Status.COMPLETED:
        return Status.COMPLETED, 100, ""
    return last_approved.status, max(last_approved.progress - 5, 0), ""


# (measure, NGO) → the NGO's own status, progress and text, far from the lead's report.
DISAGREEING_ASSESSMENTS = {
    ("4.1.4", "CLEAN-WORLD"): (
        Status.NOT_STARTED,
        5,
        "In our view the measure has not started: none of the support centres run by NGOs, ours included, has "
        "received state financing or been asked for its costs. We have seen no draft of the proposals.",
    ),
}

RESTRICTED_DETAILS = (
    "The address of the NGO shelter in Ganja (6 victims, 2 of them children) is confidential: it is in the "
    "attached list and must not be published. Case 2022/144-1/031 concerns one of the children."
)


def _restricted_report(edition: Edition, agencies: dict, people: dict):
    """The Ministry of Labour's approved report on measure 4.1.4, which it leads, gets a restricted part
    and two files, one of them restricted: details only the coordinator's office and the Ministry see."""
    update = StatusUpdate.objects.get(
        measure__edition=edition, measure__number="4.1.4", agency=agencies["MLSPP"], period__label="2022 H2"
    )
    update.restricted_details = RESTRICTED_DETAILS
    update.figures = "Support centres run by NGOs: 4 (Baku 2, Ganja 1, Lankaran 1)"
    update.save(update_fields=["restricted_details", "figures"])
    for name, title, lines, restricted in [
        ("cost-estimate-support-centres-2022.pdf", "Support centres: cost estimate 2022", ["Four centres"], False),
        ("shelter-addresses-2022.pdf", "Addresses of the NGO shelters", ["Restricted: confidential addresses."], True),
    ]:
        content = simple_pdf(title, lines)
        Evidence.objects.create(
            update=update,
            file=ContentFile(content, name=name),
            original_name=name,
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            restricted=restricted,
            uploaded_by=update.author,
        )


def _consolidate(edition: Edition, coordinator: User):
    """Measure 4.1.4: Clean World's assessment disagrees with the Ministry of Labour's report, and the
    coordinator's office has settled the status itself, with a note (it still differs from the NGO's view)."""
    from measures.services import measure_set_consolidated_status

    measure = Measure.objects.get(edition=edition, number="4.1.4")
    measure_set_consolidated_status(
        measure_id=measure.pk,
        user=coordinator,
        status=Status.DELAYED,
        progress=35,
        note=(
            "The Ministry of Finance returned the draft proposals in October 2023 and the 2023 deadline has passed: "
            "the measure is delayed. The working group noted Clean World's view on 12 February 2025; the draft "
            "exists, so the measure is not recorded as not started."
        ),
    )
    moment = _aware(date(2025, 2, 12), hour=15)
    Measure.objects.filter(pk=measure.pk).update(consolidated_at=moment, status_changed_at=moment)


def _record_threads(edition: Edition):
    """Each demo update's thread: when it was submitted, and the decision with its note."""
    events = []
    for update in StatusUpdate.objects.filter(measure__edition=edition).exclude(state=StatusUpdate.State.DRAFT):
        if update.submitted_at:
            events.append(
                UpdateEvent(
                    update=update,
                    kind=UpdateEvent.Kind.SUBMITTED,
                    actor_id=update.author_id,
                    created_at=update.submitted_at,
                )
            )
        if update.reviewed_at and update.state in (StatusUpdate.State.APPROVED, StatusUpdate.State.RETURNED):
            events.append(
                UpdateEvent(
                    update=update,
                    kind=update.state,
                    actor_id=update.reviewer_id,
                    text=update.review_note,
                    created_at=update.reviewed_at,
                )
            )
    UpdateEvent.objects.bulk_create(events, batch_size=500)
    _notify_open_steps(edition, events)


def _notify_open_steps(edition: Edition, events: list[UpdateEvent]):
    """The notices a person would still have unread: submissions waiting for the coordinator's office,
    returns waiting for their authors, and approvals of the latest period."""
    if edition.state != Edition.State.ACTIVE:
        return  # a closed plan's exchanges were read long ago
    latest = ReportingPeriod.objects.filter(edition=edition).order_by("-start").values_list("pk", flat=True).first()
    updates = {
        pk: (state, period_id, author_id)
        for pk, state, period_id, author_id in StatusUpdate.objects.filter(
            pk__in={event.update_id for event in events}
        ).values_list("pk", "state", "period_id", "author_id")
    }
    coordinators = list(User.objects.filter(role=User.Role.COORDINATOR, is_active=True).values_list("pk", flat=True))
    notices = []
    for event in events:
        state, period_id, author_id = updates[event.update_id]
        if event.kind == UpdateEvent.Kind.SUBMITTED and state == StatusUpdate.State.SUBMITTED:
            recipients = coordinators
        elif (event.kind == UpdateEvent.Kind.RETURNED and state == StatusUpdate.State.RETURNED) or (
            event.kind == UpdateEvent.Kind.APPROVED and period_id == latest
        ):
            recipients = [author_id]
        else:
            continue
        notices += [Notification(recipient_id=pk, event=event, created_at=event.created_at) for pk in recipients if pk]
    Notification.objects.bulk_create(notices, batch_size=500, ignore_conflicts=True)


def _attach_evidence(edition: Edition):
    """A short report in PDF on a few approved updates, as focal points attach them."""
    approved = (
        StatusUpdate.objects.filter(measure__edition=edition, state=StatusUpdate.State.APPROVED)
        .select_related("measure", "agency", "period", "author")
        .order_by("-period__start", "measure__sort_key")[:4]
    )
    for update in approved:
        content = simple_pdf(
            f"{update.agency.code}: measure {update.measure.number}, {update.period.label}",
            [update.narrative[i : i + 90] for i in range(0, min(len(update.narrative), 360), 90)],
        )
        name = f"report-{update.measure.number}-{update.period.label.replace(' ', '-')}.pdf"
        Evidence.objects.create(
            update=update,
            file=ContentFile(content, name=name),
            original_name=name,
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=update.author,
        )


# The last update of some measures of the running plan is still in the workflow, so that
# every role finds work waiting: the focal point of the Ministry of Labour in particular.
FINAL_STATES = {
    "4.1.4": StatusUpdate.State.RETURNED,
    "4.1.8": StatusUpdate.State.DRAFT,
    "4.2.10": StatusUpdate.State.SUBMITTED,
    "4.3.7": StatusUpdate.State.APPROVED,
    "4.1.6": StatusUpdate.State.APPROVED,
}


def _final_state(number: str, index: int) -> str:
    if number in FINAL_STATES:
        return FINAL_STATES[number]
    return {1: StatusUpdate.State.SUBMITTED, 3: StatusUpdate.State.DRAFT, 5: StatusUpdate.State.RETURNED}.get(
        index % 6, StatusUpdate.State.APPROVED
    )


# Deadlines the coordinator's office revised in the running plan, oldest first: measure → (day, new deadline, reason).
# Illustrative measures only, so no demo revision passes for a decision about the official plan.
DEADLINE_REVISIONS = {
    "4.1.4": [
        (
            date(2023, 11, 20),
            date(2024, 6, 30),
            "The Ministry of Finance asked that the financing proposals follow the 2024 state budget, "
            "adopted in December 2023.",
        ),
        (
            date(2024, 6, 14),
            date(2024, 12, 31),
            "The draft rules on support centres are with the Cabinet of Ministers; the executing bodies cannot "
            "finish before they are adopted.",
        ),
    ],
    "4.3.2": [
        (
            date(2023, 12, 5),
            date(2025, 6, 30),
            "The building offered for the crisis centre needs major repairs; the State Committee expects to open "
            "the centre in the first half of 2025.",
        ),
    ],
}

# Reporting periods of the running plan that the coordinator's office has closed: label → (day, note).
CLOSED_PERIODS = {
    "2021 H2": (
        date(2022, 3, 15),
        "Reporting for 2021 is complete: the National Coordinator's annual report was prepared from the updates "
        "received by 28 February 2022.",
    ),
}


def _revise_deadlines(edition: Edition, coordinator: User):
    measures = {m.number: m for m in Measure.objects.filter(edition=edition, number__in=DEADLINE_REVISIONS)}
    for number, revisions in DEADLINE_REVISIONS.items():
        measure = measures[number]
        for day, new_deadline, reason in revisions:
            revision = DeadlineRevision.objects.create(
                measure=measure,
                old_deadline=measure.deadline,
                new_deadline=new_deadline,
                reason=reason,
                revised_by=coordinator,
                revised_at=_aware(day),
            )
            measure.deadline = new_deadline
            # As services.measure_revise_deadline does: the measure's history names the revision.
            measure._change_reason = f"{DEADLINE_REVISION_REASON}{revision.pk}"
            measure._history_user = coordinator
            measure.save(update_fields=["deadline"])


def _close_periods(edition: Edition, coordinator: User):
    for label, (day, reason) in CLOSED_PERIODS.items():
        period = ReportingPeriod.objects.get(edition=edition, label=label)
        change = PeriodChange.objects.create(
            period=period, kind=PeriodChange.Kind.CLOSED, reason=reason, actor=coordinator, created_at=_aware(day)
        )
        period.closed_at, period.closed_by = change.created_at, coordinator
        period.save(update_fields=["closed_at", "closed_by"])


def _link_continued_measures():
    earlier = {m.number: m for m in Measure.objects.filter(edition__code=NAP_2014["code"])}
    later = {m.number: m for m in Measure.objects.filter(edition__code=NAP_2020["code"])}
    for row in NAP_2020["measures"]:
        number, continues = row[0], row[9]
        if continues:
            # Part of entering the plan, not a change to it: no history row of its own.
            Measure.objects.filter(pk=later[number].pk).update(continues=earlier[continues])
