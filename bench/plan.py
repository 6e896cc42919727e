"""A large plan for benchmarks, shaped like the real ones and built in bulk.

    from bench.plan import build_large_plan
    plan = build_large_plan(measures=10_000, updates=100_000)

One active plan of half-yearly reporting periods over five years (the last of them the period now
running), areas in every pillar, measures with a lead executing body, one to three other executing
or recommended bodies and, on about a third, an NGO partner. The bodies are the demo's real
institutions plus district authorities, so a ministry leads a few hundred measures of a plan this
large. Updates: each lead reports every period from the measure's start, other bodies and NGOs the
last few; older periods are approved, the previous one mostly approved, the period now running
a mix of drafts, submissions waiting for review, returned and approved updates. About 2 % carry
restricted details; a third of the measures have indicators (with values reported), two in five a
planned budget (with spending reported), one in a hundred a revised deadline; the period before
last is closed. Submissions and decisions of the last two periods have their thread and notices.

Everything goes through `bulk_create`, not the services: no history rows, no e-mails, no checks
beyond the database's own constraints, which the data respects. Deterministic for a given seed.
Used by bench/scale_bench.py; tests/test_bench_plan.py builds a small one so that it cannot rot.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from measures.demo import NARRATIVES, NOT_STARTED, REGIONS, RETURN_NOTES, _ramp
from measures.demo_agencies import AGENCIES
from measures.demo_plans import NAP_2020, TITLES_AZ
from measures.models import (
    Area,
    BudgetLine,
    DeadlineRevision,
    Edition,
    FundingSource,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureAgency,
    Notification,
    PeriodChange,
    Pillar,
    ReportingPeriod,
    Spending,
    Status,
    StatusUpdate,
    UpdateEvent,
    number_sort_key,
)
from nap_tracker.models import Agency, Country, User

State = StatusUpdate.State
Part = MeasureAgency.Part
BATCH = 5000
DISTRICTS = 40  # district executive authorities added to the demo's bodies
FINAL = [  # a measure's status at the end, with weights
    (Status.IN_PROGRESS, 45),
    (Status.COMPLETED, 15),
    (Status.ONGOING, 15),
    (Status.DELAYED, 10),
    (Status.NOT_STARTED, 10),
    (Status.NOT_IMPLEMENTED, 5),
]
RESTRICTED = (
    "The shelter's address and the names of the {a} victims assisted are in the attached list and must not be "
    "published; case {y}/144-1/{b:03d} concerns a child."
)
REVISION_REASON = "The executing bodies asked for a year more: the financing was approved late."


@dataclass
class LargePlan:
    edition: Edition
    seconds: float
    counts: dict = field(default_factory=dict)
    # username of one person of each role: focal_point (of a body that leads many measures), ngo,
    # partner, coordinator, admin; and focal points of other bodies, for many people at once.
    people: dict = field(default_factory=dict)
    focal_points: list = field(default_factory=list)


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _narrative(rng: random.Random, pillar: str, start: date, status: str) -> str:
    if status == Status.NOT_STARTED:
        return rng.choice(NOT_STARTED)
    r1, r2 = rng.sample(REGIONS, 2)
    return rng.choice(NARRATIVES[pillar]).format(
        a=rng.randint(2, 14),
        b=rng.randint(15, 240),
        c=rng.randint(300, 9000),
        r1=r1,
        r2=r2,
        y=start.year + 1,
        d=(start + timedelta(days=rng.randint(20, 150))).strftime("%d.%m.%Y"),
    )


@transaction.atomic
def build_large_plan(
    measures: int = 10_000, updates: int = 100_000, *, seed: int = 2026, password: str | None = None, code: str = ""
) -> LargePlan:
    """Build the plan; returns it with row counts and the people to sign in as (all share `password`,
    or have none usable when it is None)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = date.today()
    first_year = today.year - 4
    hashed = make_password(password)

    # --- bodies and people -------------------------------------------------------------------
    known = {a.code: a for a in Agency.objects.filter(code__in=[row[0] for row in AGENCIES])}
    Agency.objects.bulk_create(
        [
            Agency(code=c, kind=kind, name_en=en, name_az=az, name_ru=ru)
            for c, kind, en, az, ru in AGENCIES
            if c not in known
        ]
        + [
            Agency(code=f"BENCH-DEA-{n}", kind="state_body", name_en=f"Executive authority of district {n}")
            for n in range(1, DISTRICTS + 1)
            if not Agency.objects.filter(code=f"BENCH-DEA-{n}").exists()
        ]
    )
    bodies = list(
        Agency.objects.filter(code__in=[row[0] for row in AGENCIES])
        | Agency.objects.filter(code__startswith="BENCH-DEA-")
    )
    bodies.sort(key=lambda a: a.code)
    state_bodies = [a for a in bodies if a.kind in ("ministry", "state_body", "justice")]
    ngos = [a for a in bodies if a.kind == Agency.Kind.NGO]
    international = [a for a in bodies if a.kind == Agency.Kind.INTERNATIONAL]

    prefix = f"bench{code.lower()}-" if code else "bench-"
    people = User.objects.bulk_create(
        [
            User(
                username=f"{prefix}fp-{a.code.lower()}",
                role=User.Role.NGO if a.kind == Agency.Kind.NGO else User.Role.FOCAL_POINT,
                agency=a,
                first_name="Focal point",
                last_name=a.code,
                password=hashed,
            )
            for a in state_bodies + ngos
        ]
        + [
            User(username=f"{prefix}partner", role=User.Role.PARTNER, agency=international[0], password=hashed),
            User(username=f"{prefix}coordinator", role=User.Role.COORDINATOR, password=hashed),
            User(username=f"{prefix}admin", role=User.Role.ADMIN, is_staff=True, is_superuser=True, password=hashed),
        ]
    )
    # Everything of the benchmark is Azerbaijan's; its administrator administers the whole installation.
    country, _created = Country.objects.get_or_create(code="az", defaults={"name_en": "Azerbaijan"})
    country.agencies.add(*bodies)
    country.users.add(*[p for p in people if p.role != User.Role.ADMIN])
    author = {p.agency_id: p for p in people if p.role in (User.Role.FOCAL_POINT, User.Role.NGO)}
    coordinator = next(p for p in people if p.role == User.Role.COORDINATOR)

    # --- the plan ----------------------------------------------------------------------------
    edition_code = code or f"NAP-BENCH-{measures}"
    edition = Edition.objects.create(
        country=country,
        code=edition_code,
        title_en=f"Benchmark plan of {measures:,} measures",
        title_az="Sınaq planı (ə ğ ı ö ş ü ç)",
        start_year=first_year,
        end_year=today.year,
        approved_on=date(first_year, 1, 15),
        state=Edition.State.ACTIVE,
    )
    periods = ReportingPeriod.objects.bulk_create(
        [
            ReportingPeriod(
                edition=edition,
                label=f"{y} H{h}",
                start=date(y, 1 if h == 1 else 7, 1),
                end=date(y, 6, 30) if h == 1 else date(y, 12, 31),
                due_date=date(y, 7, 31) if h == 1 else date(y + 1, 1, 31),
            )
            for y in range(first_year, today.year + 1)
            for h in (1, 2)
        ]
    )
    reportable = [p for p in periods if p.start <= today]  # the last is the period now running
    closed = reportable[-3] if len(reportable) >= 3 else None
    if closed is not None:
        change = PeriodChange.objects.create(
            period=closed,
            kind=PeriodChange.Kind.CLOSED,
            reason="Reporting for the year is complete.",
            actor=coordinator,
            created_at=_aware(closed.due_date + timedelta(days=45)),
        )
        ReportingPeriod.objects.filter(pk=closed.pk).update(closed_at=change.created_at, closed_by=coordinator)

    pillars = [value for value, _label in Pillar.choices]
    area_count = max(5, min(40, measures // 250))
    areas = Area.objects.bulk_create(
        [
            Area(
                edition=edition,
                code=f"4.{n + 1}",
                title_en=f"Area {n + 1}: " + NAP_2020["areas"][n % len(NAP_2020["areas"])][2],
                pillar=pillars[n % len(pillars)],
                order=n,
            )
            for n in range(area_count)
        ]
    )

    sources = {
        s.code: s
        for s in [
            FundingSource.objects.get_or_create(code=c, defaults={"name_en": n, "kind": k})[0]
            for c, n, k in [
                ("STATE", "State budget", "state"),
                ("EU", "European Union", "donor"),
                ("IOM", "IOM", "donor"),
            ]
        ]
    }

    templates = NAP_2020["measures"]
    plan_rows, measure_objects = [], []
    for n in range(measures):
        area = areas[n % area_count]
        number = f"{area.code}.{n // area_count + 1}"
        template = templates[n % len(templates)]
        final = rng.choices([s for s, _ in FINAL], weights=[w for _, w in FINAL])[0]
        final_progress = {Status.COMPLETED: 100, Status.NOT_STARTED: 0}.get(final, rng.randint(10, 95))
        first_period = rng.choice([0, 0, 0, 0, 1, 2, 4, 6])
        first_period = min(first_period, len(reportable) - 1)
        start = periods[first_period].start
        deadline = date(rng.randint(max(first_year + 1, start.year), first_year + 4), 12, 31)
        measure_objects.append(
            Measure(
                edition=edition,
                area=area,
                number=number,
                sort_key=number_sort_key(number),
                title_en=template[1],
                title_az=TITLES_AZ.get((NAP_2020["code"], template[0]), ""),
                period_text_en=f"{first_year}–{deadline.year}",
                start_date=start,
                deadline=deadline,
                financing_source_en="State budget and other sources not prohibited by law",
            )
        )
        plan_rows.append((final, final_progress, first_period, area.pillar))
    measure_objects = Measure.objects.bulk_create(measure_objects, batch_size=BATCH)

    assignments, roles = [], []  # roles[i] = (lead, [others responsible], ngo or None)
    for measure in measure_objects:
        chosen = rng.sample(state_bodies, rng.randint(2, 4))
        lead, others = chosen[0], chosen[1:]
        ngo = rng.choice(ngos) if rng.random() < 0.33 else None
        assignments.append(MeasureAgency(measure=measure, agency=lead, part=Part.EXECUTING, is_lead=True))
        for other in others:
            part = Part.RECOMMENDED if rng.random() < 0.25 else Part.EXECUTING
            assignments.append(MeasureAgency(measure=measure, agency=other, part=part))
        if ngo:
            assignments.append(MeasureAgency(measure=measure, agency=ngo, part=Part.PARTNER))
        roles.append((lead, others, ngo))
    MeasureAgency.objects.bulk_create(assignments, batch_size=BATCH)

    # --- updates -----------------------------------------------------------------------------
    base, extra = divmod(updates, measures) if measures else (0, 0)
    current, previous = len(reportable) - 1, len(reportable) - 2
    update_objects, meta = [], []  # meta[i] = (measure index, is_lead, period index)
    owed = 0  # updates a measure that started late could not take, passed on to the next
    for index, measure in enumerate(measure_objects):
        final, final_progress, first_period, pillar = plan_rows[index]
        lead, others, ngo = roles[index]
        slots = [(lead, k) for k in range(first_period, len(reportable))]
        if ngo:
            slots += [(ngo, k) for k in range(max(first_period, current - 1), len(reportable))]
        slots += [(other, k) for k in range(max(first_period, current - 2), len(reportable)) for other in others]
        slots += [(other, k) for k in range(first_period, max(first_period, current - 2)) for other in others]
        if ngo:
            slots += [(ngo, k) for k in range(first_period, max(first_period, current - 1))]
        steps = len(reportable) - first_period
        quota = base + (1 if index < extra else 0) + owed
        owed = max(0, quota - len(slots))
        for agency, k in slots[:quota]:
            step = k - first_period
            status, progress = _ramp(final, final_progress, step, steps)
            if agency is not lead and status != Status.COMPLETED:
                progress = max(0, progress - rng.randint(0, 15))
            if k == current:
                state = rng.choices([State.DRAFT, State.SUBMITTED, State.RETURNED, State.APPROVED], [40, 35, 10, 15])[0]
            elif k == previous:
                state = rng.choices([State.APPROVED, State.SUBMITTED, State.RETURNED], [90, 6, 4])[0]
            else:
                state = State.APPROVED
            period = reportable[k]
            update = StatusUpdate(
                measure=measure,
                agency=agency,
                period=period,
                status=status,
                progress=progress,
                narrative=_narrative(rng, pillar, period.start, status),
                state=state,
                author=author[agency.pk],
            )
            if rng.random() < 0.02:
                update.restricted_details = RESTRICTED.format(
                    a=rng.randint(2, 9), b=rng.randint(1, 400), y=period.start.year
                )
            if state != State.DRAFT:
                update.submitted_at = _aware(min(period.due_date, today) - timedelta(days=rng.randint(1, 12)))
            if state in (State.APPROVED, State.RETURNED):
                update.reviewer = coordinator
                update.reviewed_at = update.submitted_at + timedelta(days=rng.randint(1, 10))
            if state == State.RETURNED:
                update.review_note = rng.choice(RETURN_NOTES)
            update_objects.append(update)
            meta.append((index, agency is lead, k))
    update_objects = StatusUpdate.objects.bulk_create(update_objects, batch_size=BATCH)

    # The status in force: the lead's latest approved report.
    latest = {}
    for update, (index, is_lead, k) in zip(update_objects, meta, strict=True):
        if is_lead and update.state == State.APPROVED and k >= latest.get(index, (-1, None))[0]:
            latest[index] = (k, update)
    changed = []
    for index, (_k, update) in latest.items():
        measure = measure_objects[index]
        measure.status, measure.progress, measure.status_changed_at = (
            update.status,
            update.progress,
            update.reviewed_at,
        )
        changed.append(measure)
    Measure.objects.bulk_update(changed, ["status", "progress", "status_changed_at"], batch_size=BATCH)

    # --- deadlines revised on a few measures ---------------------------------------------------
    revisions = []
    for n, measure in enumerate(measure_objects):
        if rng.random() < 0.01 or (n == len(measure_objects) - 1 and not revisions):  # at least one
            new = date(measure.deadline.year + 1, 6, 30)
            revisions.append(
                DeadlineRevision(
                    measure=measure,
                    old_deadline=measure.deadline,
                    new_deadline=new,
                    reason=REVISION_REASON,
                    revised_by=coordinator,
                    revised_at=_aware(date(min(measure.deadline.year, today.year), 11, 20)),
                )
            )
            measure.deadline = new
    DeadlineRevision.objects.bulk_create(revisions, batch_size=BATCH)
    Measure.objects.bulk_update([r.measure for r in revisions], ["deadline"], batch_size=BATCH)

    # --- results: indicators with values, budgets with spending ----------------------------------
    indicators, budgets = [], []
    for measure in measure_objects:
        if rng.random() < 0.33:
            for order in range(rng.randint(1, 2)):
                unit = rng.choice([Indicator.Unit.NUMBER, Indicator.Unit.NUMBER, Indicator.Unit.PERCENT])
                breakdown = rng.choice(["", "", Indicator.Breakdown.SEX]) if unit == Indicator.Unit.NUMBER else ""
                high = 100 if unit == Indicator.Unit.PERCENT else 500
                indicators.append(
                    Indicator(
                        measure=measure,
                        name_en=rng.choice(["Victims identified", "People trained", "Share of cases referred"]),
                        unit=unit,
                        breakdown=breakdown,
                        baseline_value=Decimal(rng.randint(0, high // 4)),
                        baseline_year=first_year - 1,
                        target_value=Decimal(rng.randint(high // 2, high)),
                        target_year=today.year,
                        order=order,
                    )
                )
        if rng.random() < 0.4:
            for source in rng.sample(list(sources.values()), rng.randint(1, 2)):
                budgets.append(BudgetLine(measure=measure, source=source, amount=Decimal(rng.randint(5, 500) * 1000)))
    indicators = Indicator.objects.bulk_create(indicators, batch_size=BATCH)
    BudgetLine.objects.bulk_create(budgets, batch_size=BATCH)
    by_measure = {}
    for indicator in indicators:
        by_measure.setdefault(indicator.measure_id, []).append(indicator)
    budgeted = {line.measure_id: line for line in budgets}
    values, spending = [], []
    for update, (_index, is_lead, k) in zip(update_objects, meta, strict=True):
        if not is_lead or update.state != State.APPROVED or k < current - 3:
            continue
        for indicator in by_measure.get(update.measure_id, ()):
            high = 100 if indicator.unit == Indicator.Unit.PERCENT else 500
            for category in indicator.categories or ("total",):
                values.append(
                    IndicatorValue(update=update, indicator=indicator, category=category, value=rng.randint(0, high))
                )
        line = budgeted.get(update.measure_id)
        if line is not None and k >= current - 1:
            spending.append(Spending(update=update, source=line.source, amount=line.amount / 4))
    IndicatorValue.objects.bulk_create(values, batch_size=BATCH)
    Spending.objects.bulk_create(spending, batch_size=BATCH)

    # --- threads and notices of the last two periods ---------------------------------------------
    events = []
    for update, (_index, _is_lead, k) in zip(update_objects, meta, strict=True):
        if k < previous or update.state == State.DRAFT:
            continue
        events.append(
            UpdateEvent(
                update=update,
                kind=UpdateEvent.Kind.SUBMITTED,
                actor_id=update.author_id,
                created_at=update.submitted_at,
            )
        )
        if update.state in (State.APPROVED, State.RETURNED):
            events.append(
                UpdateEvent(
                    update=update,
                    kind=update.state,
                    actor=coordinator,
                    text=update.review_note,
                    created_at=update.reviewed_at,
                )
            )
    events = UpdateEvent.objects.bulk_create(events, batch_size=BATCH)
    notices = []
    for event in events:
        if event.kind == UpdateEvent.Kind.SUBMITTED and event.update.state == State.SUBMITTED:
            notices.append(Notification(recipient=coordinator, event=event, created_at=event.created_at))
        elif event.kind == UpdateEvent.Kind.RETURNED and event.update.state == State.RETURNED:
            notices.append(Notification(recipient_id=event.update.author_id, event=event, created_at=event.created_at))
    Notification.objects.bulk_create(notices, batch_size=BATCH)

    # The focal point to sign in as: the body that leads the most measures.
    leads = {}
    for lead, _others, _ngo in roles:
        leads[lead.pk] = leads.get(lead.pk, 0) + 1
    busiest = max(leads, key=leads.get) if leads else state_bodies[0].pk
    focal_points = [p.username for p in people if p.role == User.Role.FOCAL_POINT]
    plan = LargePlan(
        edition=edition,
        seconds=0.0,
        people={
            "focal_point": author[busiest].username,
            "ngo": author[ngos[0].pk].username,
            "partner": f"{prefix}partner",
            "coordinator": coordinator.username,
            "admin": f"{prefix}admin",
        },
        focal_points=focal_points,
        counts={
            "agencies": len(bodies),
            "areas": len(areas),
            "periods": len(periods),
            "measures": len(measure_objects),
            "agency parts": len(assignments),
            "updates": len(update_objects),
            "updates by state": {
                s: sum(1 for u in update_objects if u.state == s)
                for s in (State.DRAFT, State.SUBMITTED, State.RETURNED, State.APPROVED)
            },
            "restricted updates": sum(1 for u in update_objects if u.restricted_details),
            "indicators": len(indicators),
            "indicator values": len(values),
            "budget lines": len(budgets),
            "spending": len(spending),
            "deadline revisions": len(revisions),
            "closed periods": 1 if closed else 0,
            "events": len(events),
            "notifications": len(notices),
            "lead measures of the focal point's body": leads.get(busiest, 0),
        },
    )
    plan.seconds = time.perf_counter() - started
    return plan
