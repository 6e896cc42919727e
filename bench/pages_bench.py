"""Benchmark: the busiest pages on a large plan, in a throwaway database.

    .venv/bin/python bench/pages_bench.py [--measures 2000] [--years 5] [--rounds 5]

Builds a plan with `bench/report_bench.py`'s generator (measures, agencies, half-yearly approved
updates) and serves each page through Django's test client, signed in as the role that uses
it. Prints, per page: queries, median and best milliseconds over `--rounds`. The query counts
must not grow with `--measures`; the seconds show where time goes. Not a timed test; record the
results in docs/performance.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=2000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="nap-bench-")
    os.environ.update({"DJANGO_SETTINGS_MODULE": "nap_tracker.settings", "DEBUG": "true", "NAP_VAR_DIR": workdir})
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from report_bench import build_plan

    from measures.models import MeasureAgency, StatusUpdate
    from nap_tracker.models import User

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    edition, build_seconds, updates = build_plan(args.measures, args.years)
    lead = MeasureAgency.objects.filter(measure__edition=edition).values_list("agency_id", flat=True).first()
    people = {
        "focal_point": User.objects.create(username="bench-focal", role="focal_point", agency_id=lead),
        "coordinator": User.objects.create(username="bench-coordinator", role="coordinator"),
        "partner": User.objects.create(username="bench-partner", role="partner", agency_id=lead),
    }
    for person in people.values():
        person.countries.add(edition.country_id)
    StatusUpdate.objects.filter(pk__in=StatusUpdate.objects.filter(measure__edition=edition).values("pk")[:200]).update(
        state="submitted"
    )
    measure = edition.measures.order_by("pk").first()
    pages = [
        ("focal point's home", "focal_point", reverse("home")),
        ("coordinator's home", "coordinator", reverse("home")),
        ("partner's home", "partner", reverse("home")),
        ("measures list", "partner", reverse("measure_list")),
        ("measures list, overdue", "partner", reverse("measure_list") + "?overdue=true&sort=-progress"),
        ("measures as CSV (all)", "partner", reverse("measure_csv")),
        ("measure page", "focal_point", reverse("measure_detail", args=[measure.pk])),
        ("review queue", "coordinator", reverse("review_queue")),
        ("dashboard", "partner", reverse("reporting:dashboard")),
    ]
    print(f"plan: {args.measures} measures, {updates} updates, built in {build_seconds:.1f} s\n")
    print(f"{'page':<28} {'queries':>7} {'median ms':>10} {'best ms':>8}")
    for name, role, url in pages:
        client = Client()
        client.force_login(people[role])
        times = []
        for _ in range(args.rounds):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{name:<28} {len(queries):>7} {statistics.median(times):>10.0f} {min(times):>8.0f}")


if __name__ == "__main__":
    main()
