"""Benchmark: render the edition progress report of a large, generated plan.

    .venv/bin/python bench/report_bench.py [--measures 600] [--years 5] [--lang en]

Runs in a throwaway SQLite database under a temporary folder (never your own data), builds a
plan of `--measures` measures in areas of every pillar, with half-yearly approved updates
over `--years` years, and prints: pages, seconds for the whole report (numbers + HTML +
PDF), seconds WeasyPrint alone takes on the same HTML, and our overhead as a ratio.
Not a timed test; record the results in docs/performance.md.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=600)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--kind", default="edition", help="edition, or summary (the edition for very large plans)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="nap-bench-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "nap_tracker.settings",
            "DEBUG": "true",
            "NAP_VAR_DIR": workdir,
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    edition, build_seconds, updates = build_plan(args.measures, args.years)

    import io

    from django.utils import timezone, translation
    from pypdf import PdfReader

    from reporting.numbers import Scope, report_numbers
    from reporting.rendering import html_for_pdf, write_pdf
    from reporting.services import report_render

    # Best of `--rounds`, alternating the two, so that warm caches and the garbage collector favour neither.
    totals, weasies = [], []
    for _round in range(args.rounds):
        start = time.perf_counter()
        rendered = report_render(kind=args.kind, edition=edition, language=args.lang, format="pdf")
        totals.append(time.perf_counter() - start)
        with translation.override(args.lang):
            start = time.perf_counter()
            numbers = report_numbers(Scope(kind=args.kind, edition=edition))
            numbers_seconds = time.perf_counter() - start
            html = html_for_pdf(numbers, generated_at=timezone.now())
        start = time.perf_counter()
        write_pdf(html)
        weasies.append(time.perf_counter() - start)
    total, weasy = min(totals), min(weasies)

    pages = len(PdfReader(io.BytesIO(rendered.content)).pages)
    import resource

    print(f"report              {args.kind}")
    print(f"measures            {args.measures}")
    print(f"approved updates    {updates}")
    print(f"plan built in       {build_seconds:.1f} s")
    print(f"pages               {pages}")
    print(f"PDF size            {len(rendered.content) / 1024:.0f} KiB")
    print(f"numbers (4 queries) {numbers_seconds:.2f} s")
    print(f"whole report        {total:.2f} s")
    print(f"WeasyPrint alone    {weasy:.2f} s")
    print(f"overhead ratio      {total / weasy:.2f} (whole report / WeasyPrint alone)")
    print(f"peak memory         {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"(throwaway database in {workdir})")


def build_plan(measure_count: int, years: int):
    from django.contrib.auth.hashers import make_password

    from measures.models import (
        Area,
        Edition,
        Measure,
        MeasureAgency,
        Pillar,
        ReportingPeriod,
        Status,
        StatusUpdate,
    )
    from nap_tracker.models import Agency, Country, User

    start = time.perf_counter()
    country, _created = Country.objects.get_or_create(code="az", defaults={"name_en": "Azerbaijan"})
    rng = random.Random(2026)
    first = 2020
    edition = Edition.objects.create(
        country=country,
        code="NAP-BENCH",
        title_en="Benchmark plan",
        title_az="Sınaq planı",
        start_year=first,
        end_year=first + years - 1,
        state="active",
    )
    agencies = Agency.objects.bulk_create(
        [
            Agency(code=f"AG-{n}", name_en=f"Agency {n}", name_az=f"Qurum {n} (ə ğ ı ö ş ü ç)", kind="ministry")
            for n in range(40)
        ]
    )
    author = User.objects.create(username="bench", role="focal_point", agency=agencies[0], password=make_password(None))
    country.agencies.add(*agencies)
    author.countries.add(country)
    pillars = [value for value, _label in Pillar.choices]
    areas = Area.objects.bulk_create(
        [
            Area(
                edition=edition,
                code=f"4.{n + 1}",
                title_en=f"Area {n + 1} of the benchmark plan",
                pillar=pillars[n % 5],
                order=n,
            )
            for n in range(12)
        ]
    )
    measures = []
    for n in range(measure_count):
        area = areas[n % len(areas)]
        number = f"{area.code}.{n // len(areas) + 1}"
        measure = Measure(
            edition=edition,
            area=area,
            number=number,
            title_en=f"Measure {number}: "
            + "improve the referral of identified victims to services " * rng.randint(1, 3),
            deadline=date(first + rng.randint(0, years - 1), 12, 31),
            status=rng.choice(Status.values),
            progress=rng.randint(0, 100),
        )
        measure.sort_key = number
        measures.append(measure)
    measures = Measure.objects.bulk_create(measures)
    MeasureAgency.objects.bulk_create(
        [
            MeasureAgency(measure=m, agency=a, is_lead=(i == 0))
            for m in measures
            for i, a in enumerate(rng.sample(agencies, 3))
        ]
    )
    periods = [
        ReportingPeriod.objects.create(
            edition=edition,
            label=f"{y} H{h}",
            start=date(y, 1 if h == 1 else 7, 1),
            end=date(y, 6 if h == 1 else 12, 30),
            due_date=date(y, 7, 31) if h == 1 else date(y + 1, 1, 31),
        )
        for y in range(first, first + years)
        for h in (1, 2)
    ]
    updates = [
        StatusUpdate(
            measure=m,
            agency=agencies[0],
            period=p,
            status=Status.IN_PROGRESS,
            progress=min(100, 10 * (i + 1)),
            state="approved",
            author=author,
            narrative="Held training sessions in Ganja and Şəki; the referral guidelines were revised. " * 2,
        )
        for m in measures
        for i, p in enumerate(periods)
    ]
    StatusUpdate.objects.bulk_create(updates, batch_size=2000)
    return edition, time.perf_counter() - start, len(updates)


if __name__ == "__main__":
    main()
