"""Load test: the production processes on loopback under a working day's mix of requests.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/load_test.py [--users 50] [--minutes 5] [--database-url postgres://postgres@127.0.0.1:5432]
                                        [--redis-url redis://127.0.0.1:6379/9] [--workers N]

Makes a throwaway database on the given PostgreSQL (dropped afterwards), loads the demo, collects
static files, starts gunicorn from gunicorn.conf.py with DEBUG off and a Celery worker for the
reports, then runs Locust headless (bench/locustfile.py: 70 % reads, 20 % update saves, 5 %
reviews, 5 % report requests) and prints requests per second, p50/p95/p99 and errors for reads
and writes. Traffic goes to 127.0.0.1 only. Not a test: record the results in docs/performance.md.

The site runs as in production but on plain HTTP (no TLS proxy on loopback): HTTPS redirect, HSTS
and Secure cookies are off for the run.
"""

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-test-password"

PREPARE = r"""
import json, os
from measures import services
from measures.models import Edition, MeasureAgency, ReportingPeriod, StatusUpdate
from nap_tracker.models import User

focal = User.objects.get(username="focal")
edition = Edition.objects.filter(state="active").order_by("-start_year").first()
periods = list(ReportingPeriod.objects.filter(edition=edition))
drafts = []
parts = MeasureAgency.objects.filter(agency=focal.agency, measure__edition=edition, part__in=["executing", "recommended"])
for assignment in parts.select_related("measure"):
    for period in periods:
        if StatusUpdate.objects.filter(measure=assignment.measure, agency=focal.agency, period=period).exists():
            continue
        data = services.UpdateData(period=period, status="in_progress", progress=10, narrative="Started.", language="en")
        drafts.append(services.update_create(measure=assignment.measure, user=focal, data=data, files=[], submit=False).pk)
from django_otp.plugins.otp_totp.models import TOTPDevice

# The coordinator's office signs in with a second factor, and a code works once: one account each.
coordinators = []
for n in range(int(os.environ.get("NAP_LOAD_USERS", "50")) + 5):
    person = User.objects.create_user(
        f"load-coordinator-{n}", password=os.environ["DEMO_PASSWORD"], role="coordinator", email=""
    )
    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    person.countries.add(edition.country_id)
    coordinators.append({"username": person.username, "key": device.key})
json.dump({
    "focal": "focal", "coordinators": coordinators, "partner": "partner",
    "edition": edition.pk,
    "areas": list(edition.areas.values_list("pk", flat=True)),
    "measures": list(edition.measures.values_list("pk", flat=True)),
    "drafts": drafts,
}, open(os.environ["NAP_LOAD_PLAN"], "w"))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py's)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="nap-load-"))
    database = f"nap_load_{uuid.uuid4().hex[:8]}"
    base = args.database_url.rstrip("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.isupper() or k in {"PATH", "HOME", "LANG"}},
        "DJANGO_SETTINGS_MODULE": "nap_tracker.settings",
        "DEBUG": "false",
        "SECRET_KEY": "load-test-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{base}/{database}",
        "REDIS_URL": args.redis_url,
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "NAP_VAR_DIR": str(folder / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DEMO_PASSWORD": PASSWORD,
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        **({"GUNICORN_WORKERS": str(args.workers)} if args.workers else {}),
    }
    processes = []
    try:

        def manage(*command, **kwargs):
            return subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, **kwargs
            )

        print("Preparing: collectstatic, migrate, demo data, drafts …", flush=True)
        manage("collectstatic", "--noinput")
        manage("migrate", "--noinput")
        manage("load_demo", "--force")
        env["NAP_LOAD_PLAN"] = str(folder / "plan.json")
        env["NAP_LOAD_USERS"] = str(args.users)
        manage("shell", "-c", PREPARE)
        plan = {**json.loads((folder / "plan.json").read_text()), "password": PASSWORD}
        (folder / "plan.json").write_text(json.dumps(plan))
        print(f"  {len(plan['measures'])} measures, {len(plan['drafts'])} drafts to work on", flush=True)

        logs = open(folder / "server.log", "ab")  # noqa: SIM115 - open for the processes' life
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=logs,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "nap_tracker",
                    "worker",
                    "--queues=default,reports",
                    "--concurrency=1",
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=logs,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)

        print(f"Running: {args.users} people for {args.minutes} minutes …", flush=True)
        stats = folder / "locust"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{int(args.minutes * 60)}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(stats),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env={**env, "NAP_LOAD_PLAN": str(folder / "plan.json")},
            check=False,
        )
        report(stats.with_name("locust_stats.csv"))
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def report(path: Path):
    rows = list(csv.DictReader(path.open()))
    print()
    print(f"{'request':38} {'count':>7} {'fails':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for row in rows:
        print(
            f"{row['Name'][:38]:38} {row['Request Count']:>7} {row['Failure Count']:>6} {float(row['Requests/s']):7.1f}"
            f" {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )


if __name__ == "__main__":
    main()
