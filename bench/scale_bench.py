"""Scale benchmark: the busiest pages at 100 and at 10,000 measures, side by side, on PostgreSQL.

    .venv/bin/python bench/scale_bench.py postgres://postgres@127.0.0.1:5432 \\
        [--sizes 100,10000] [--updates-per-measure 10] [--rounds 5] [--users 50] [--seconds 60] \\
        [--redis-url redis://127.0.0.1:6379/8] [--pdf-measures 100,600] [--skip-load] [--skip-pdf]

The argument is a PostgreSQL server (a database name in the URL is ignored). For each size the
script makes a throwaway database (nap_bench_<random>_<size>, copied from one migrated once),
builds a plan with bench/plan.py (`size` measures, `size × updates-per-measure` updates) and:

1. serves each page through Django's test client in a process of its own, DEBUG off, signed in as
   the role that uses it (the coordinator and the administrator with their second factor in the
   session, as the tests do): one warm-up, then the median of `--rounds` rounds of server time,
   and the page's query count. "My settings" is the floor: a signed-in page that reads no plan.
2. starts gunicorn with the repository's gunicorn.conf.py (DEBUG off, static files collected),
   and `--users` people at once — a pool of Python threads, one session each, focal points of
   every body and a partner, each sending its next request as soon as the last one is answered
   (home, measures list plain and filtered, a measure's page, "My settings") for `--seconds` — and
   prints throughput, p50/p95 and errors; then the same people on the measures list alone, and on
   "My settings" alone (the floor), `--seconds` each. Then it asks for the dashboard `--dashboards` times, one
   at a time, and prints the largest resident memory of a worker (VmHWM after the load; VmRSS
   sampled every 0.2 s while the dashboards render, so a worker gunicorn kills still counts).
3. calls bench/report_bench.py (its own SQLite plan) for the PDF's overhead over WeasyPrint alone.

Prints a Markdown table; record it in docs/performance.md. Traffic goes to 127.0.0.1 only; the
databases are dropped at the end, also on failure. Redis: the database given is flushed before
each size (cached numbers must not cross plans) — give one nobody else uses.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    # name, role, path (filled in by the child: {measure} is a measure the focal point's body leads)
    ("focal point's home", "focal_point", "/"),
    ("coordinator's home", "coordinator", "/"),
    ("partner's home", "partner", "/"),
    ("measures list", "partner", "/measures/"),
    ("measures list, written anew", "partner", "/measures/"),
    ("measures list, filtered", "partner", "/measures/?status=in_progress&overdue=true&sort=-progress&q=victims"),
    (
        "measures list, filtered, written anew",
        "partner",
        "/measures/?status=in_progress&overdue=true&sort=-progress&q=victims",
    ),
    ("measures as CSV (all)", "partner", "/measures/export.csv"),
    ("measure page", "focal_point", "/measures/{measure}/"),
    ("review queue", "coordinator", "/review/"),
    ("dashboard (cached)", "partner", "/reports/dashboard/"),
    ("dashboard, uncached", "partner", "/reports/dashboard/"),
    ("admin: measures changelist", "admin", "/admin/measures/measure/"),
    ("floor: My settings", "focal_point", "/accounts/settings/"),
]
LOAD_MIX = [  # path, weight; {measure} is drawn from all measures
    ("/", 25),
    ("/measures/", 15),
    ("/measures/?status=in_progress&overdue=true", 10),
    ("/measures/{measure}/", 40),
    ("/accounts/settings/", 10),
]
# The measures list alone (the target: 100 req/s at 50 people on 2 cores), and the floor: a signed-in
# page that reads no plan. Each run for `--seconds` after the mix, against the same workers.
LIST_MIX = [("/measures/", 60), ("/measures/?status=in_progress&overdue=true", 40)]
FLOOR_MIX = [("/accounts/settings/", 1)]


# --- the child: one size, in-process ---------------------------------------------------------------


def child(args):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.plan import build_large_plan
    from measures.models import Measure
    from nap_tracker.models import User
    from reporting.numbers import Scope, report_numbers

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    plan = build_large_plan(measures=args.measures, updates=args.measures * args.updates_per_measure)
    # The planner's statistics, as autovacuum would gather them after an import (it may be off, as
    # it is on the development machine's PostgreSQL): without them one query of a page took 50 s.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    users = {role: User.objects.get(username=name) for role, name in plan.people.items()}
    for role in ("coordinator", "admin"):
        TOTPDevice.objects.create(user=users[role], name="Authenticator app", confirmed=True)
    focal = users["focal_point"]
    measure = (
        Measure.objects.filter(edition=plan.edition, assignments__agency=focal.agency, assignments__is_lead=True)
        .order_by("-progress", "sort_key")
        .first()
    )

    def signed_in(user):
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    def timed(call):
        times, queries = [], 0
        for round_ in range(args.rounds + 1):  # the first is a warm-up
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                result = call()
                elapsed = (time.perf_counter() - start) * 1000
            if round_:
                times.append(elapsed)
            queries = len(captured)
        return queries, statistics.median(times), result

    def get(client, path, uncached=False):
        from django.core.cache import cache

        from measures import list_cache

        def call():
            if uncached == "list":  # as after any change: the list's content is written again (not its menus)
                list_cache.list_changed()
            elif uncached:  # as after an approval: the plan's numbers are computed again
                cache.clear()
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            return response.status_code, len(body)

        return call

    pages = {}
    for name, role, path in PAGES:
        queries, median, (status, size) = timed(
            get(
                signed_in(users[role]),
                path.format(measure=measure.pk),
                uncached="list" if name.endswith("written anew") else name.endswith("uncached"),
            )
        )
        if status != 200:
            raise SystemExit(f"{name} ({path}) answered {status}")
        pages[name] = {"queries": queries, "ms": median, "kib": size / 1024}
    queries, median, _ = timed(lambda: report_numbers(Scope(kind="edition", edition=plan.edition)))
    pages["report's numbers (edition, no page)"] = {"queries": queries, "ms": median, "kib": None}

    # Sessions for the people of the load test: focal points of every body, and the partner.
    people = [User.objects.get(username=u) for u in plan.focal_points] + [users["partner"]]
    sessions = []
    for n in range(args.users):
        client = Client()
        client.force_login(people[n % len(people)] if n % 5 else users["partner"])
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    partner = Client()
    partner.force_login(users["partner"])
    Path(args.out).write_text(
        json.dumps(
            {
                "build_seconds": plan.seconds,
                "counts": plan.counts,
                "pages": pages,
                "sessions": sessions,
                "partner_session": partner.cookies[settings.SESSION_COOKIE_NAME].value,
                "cookie": settings.SESSION_COOKIE_NAME,
                "measures": list(Measure.objects.filter(edition=plan.edition).values_list("pk", flat=True)),
            }
        )
    )


# --- the parent: databases, gunicorn, the load, the table ---------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_sql(base: str, sql: str):
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def load(port: int, data: dict, users: int, seconds: float, mix=LOAD_MIX) -> dict:
    """`users` threads, each with its own session and connection, for `seconds`; closed loop, no pause;
    each request drawn from `mix` (path, weight)."""
    paths = [p for p, _w in mix]
    weights = [w for _p, w in mix]
    latencies, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def person(n: int):
        rng = random.Random(n)
        cookie = f"{data['cookie']}={data['sessions'][n]}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, wrong = [], []
        while time.monotonic() < stop:
            path = rng.choices(paths, weights)[0].format(measure=rng.choice(data["measures"]))
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                conn.close()
            mine.append((time.perf_counter() - start) * 1000)
            if status != 200:
                wrong.append((path, status))
        with lock:
            latencies.extend(mine)
            errors.extend(wrong)

    started = time.monotonic()
    threads = [threading.Thread(target=person, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] if latencies else 0,
        "p95": latencies[int(len(latencies) * 0.95)] if latencies else 0,
        "errors": len(errors),
        "first errors": errors[:3],
    }


def worker_pids(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def peak_rss_mib(pids: list[int]) -> float:
    peaks = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
    return max(peaks, default=0.0)


def dashboards(port: int, data: dict, count: int, master: int, redis_url: str) -> tuple[float, int, float]:
    """`count` dashboards one after the other, each computed anew (the cache emptied first, as after an
    approval), while a sampler reads the workers' resident memory every 0.2 s (so that a worker killed by gunicorn's timeout still counts). Returns the slowest in
    ms, how many failed, and the largest resident memory seen, in MiB."""
    times, failed, peak, done = [], 0, [0.0], threading.Event()

    def sample():
        while not done.is_set():
            for pid in worker_pids(master):
                try:
                    found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
                except OSError:
                    continue
                if found:
                    peak[0] = max(peak[0], int(found.group(1)) / 1024)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        for _ in range(count):
            flush_redis(redis_url)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            start = time.perf_counter()
            try:
                conn.request(
                    "GET", "/reports/dashboard/", headers={"Cookie": f"{data['cookie']}={data['partner_session']}"}
                )
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False  # e.g. the worker was killed after gunicorn's timeout
            times.append((time.perf_counter() - start) * 1000)
            failed += not ok
    finally:
        done.set()
        sampler.join()
    return max(times), failed, max(peak[0], peak_rss_mib(worker_pids(master)))


def serve(env: dict, folder: Path, data: dict, args) -> dict:
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    logs = open(folder / f"gunicorn-{port}.log", "ab")  # noqa: SIM115 - open for the server's life
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=logs,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(240):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit(f"gunicorn did not answer; see {folder}")
        workers = worker_pids(server.pid)
        load(port, data, len(workers), 5)  # warm every worker up
        result = load(port, data, args.users, args.seconds)
        result["workers"] = len(workers)
        for name, mix in (("list", LIST_MIX), ("floor", FLOOR_MIX)):
            load(port, data, len(workers), 3, mix)  # warm up on these pages
            found = load(port, data, args.users, args.seconds, mix)
            result.update({f"{name} {key}": value for key, value in found.items()})
        workers = worker_pids(server.pid)
        result["rss_before"] = peak_rss_mib(workers)
        result["dashboard_ms"], result["dashboard_failed"], result["rss_after"] = dashboards(
            port, data, args.dashboards, server.pid, args.redis_url
        )
        return result
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def pdf(measures: int) -> dict:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "report_bench.py"), "--measures", str(measures), "--rounds", "1"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        capture_output=True,
        text=True,
        check=True,
    )
    found = dict(re.findall(r"^(\S[^\d(]*?)\s{2,}([\d.]+)", run.stdout, re.M))
    return found


def flush_redis(url: str):
    import redis

    redis.Redis.from_url(url).flushdb()


def fmt(value, digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--updates-per-measure", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--pdf-measures", default="100,600", help="plan sizes for bench/report_bench.py")
    parser.add_argument("--dashboards", type=int, default=3, help="dashboards asked for after the load, one at a time")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measures", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    sizes = [int(s) for s in args.sizes.split(",")]
    parsed = urllib.parse.urlsplit(args.database_url)
    base = urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, "", "", "")).rstrip("/")
    tag = uuid.uuid4().hex[:8]
    template = f"nap_bench_{tag}_base"
    folder = Path(tempfile.mkdtemp(prefix="nap-scale-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.isupper() or k in {"PATH", "HOME", "LANG"}},
        "DJANGO_SETTINGS_MODULE": "nap_tracker.settings",
        "DEBUG": "false",
        "SECRET_KEY": "scale-bench-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "REDIS_URL": args.redis_url,
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "NAP_VAR_DIR": str(folder / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    created = []
    results = {}
    started = time.perf_counter()
    try:
        print(f"Preparing: migrate once, collectstatic (work folder {folder}) …", flush=True)
        admin_sql(base, f'CREATE DATABASE "{template}"')
        created.append(template)
        prepare = {**env, "DATABASE_URL": f"{base}/{template}"}
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=prepare, check=True, capture_output=True
            )
        for size in sizes:
            database = f"nap_bench_{tag}_{size}"
            admin_sql(base, f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
            created.append(database)
            flush_redis(args.redis_url)
            sized = {**env, "DATABASE_URL": f"{base}/{database}"}
            out = folder / f"pages-{size}.json"
            print(f"{size:,} measures: building the plan and timing the pages …", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    args.database_url,
                    "--child",
                    "--measures",
                    str(size),
                    "--updates-per-measure",
                    str(args.updates_per_measure),
                    "--rounds",
                    str(args.rounds),
                    "--users",
                    str(args.users),
                    "--out",
                    str(out),
                ],
                cwd=ROOT,
                env=sized,
                check=True,
            )
            data = json.loads(out.read_text())
            print(f"  built in {data['build_seconds']:.0f} s: {data['counts']}", flush=True)
            if not args.skip_load:
                print(f"  load: {args.users} people for {args.seconds:.0f} s against gunicorn …", flush=True)
                data["load"] = serve(sized, folder, data, args)
            results[size] = data
            admin_sql(base, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            created.remove(database)
        pdfs = {}
        if not args.skip_pdf:
            for measures in [int(m) for m in args.pdf_measures.split(",")]:
                print(f"PDF: bench/report_bench.py --measures {measures} …", flush=True)
                pdfs[measures] = pdf(measures)
    finally:
        for database in created:
            admin_sql(base, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    report(results, pdfs, args, time.perf_counter() - started)


def report(results: dict, pdfs: dict, args, seconds: float):
    sizes = list(results)
    print()
    print(
        f"Median of {args.rounds} rounds after a warm-up, Django test client in-process, DEBUG off, PostgreSQL; "
        f"{args.updates_per_measure} updates per measure. Whole run: {seconds / 60:.0f} min."
    )
    print()
    print("| page | " + " | ".join(f"queries @{s:,} | ms @{s:,}" for s in sizes) + " |")
    print("|---|" + "---:|---:|" * len(sizes))
    for name in results[sizes[0]]["pages"]:
        cells = []
        for s in sizes:
            page = results[s]["pages"][name]
            cells += [str(page["queries"]), fmt(page["ms"])]
        print(f"| {name} | " + " | ".join(cells) + " |")
    built = [cell for s in sizes for cell in ("", fmt(results[s]["build_seconds"]))]
    print("| plan built in (s) | " + " | ".join(built) + " |")
    if not args.skip_load:
        print()
        print(
            f"{args.users} people at once against gunicorn (gunicorn.conf.py, DEBUG off), Python thread-pool client, "
            f"no pause between requests, {args.seconds:.0f} s; mix: " + ", ".join(f"{p} {w} %" for p, w in LOAD_MIX)
        )
        print()
        print("| under load | " + " | ".join(f"{s:,} measures" for s in sizes) + " |")
        print("|---|" + "---:|" * len(sizes))
        rows = [
            ("gunicorn workers", "workers", 0),
            ("requests", "requests", 0),
            ("throughput (req/s)", "rps", 1),
            ("p50 (ms)", "p50", 0),
            ("p95 (ms)", "p95", 0),
            ("errors", "errors", 0),
            ("the measures list alone (60 % plain, 40 % filtered): req/s", "list rps", 1),
            ("the measures list alone: p50 / p95 (ms)", ("list p50", "list p95"), 0),
            ("the measures list alone: errors", "list errors", 0),
            ("floor, My settings alone: req/s", "floor rps", 1),
            ("floor: errors", "floor errors", 0),
            ("worker peak RSS after the load (MiB)", "rss_before", 0),
            ("dashboard over HTTP, uncached, slowest (ms)", "dashboard_ms", 0),
            ("dashboards that failed (gunicorn timeout)", "dashboard_failed", 0),
            ("worker peak RSS after the dashboard (MiB)", "rss_after", 0),
        ]
        for label, key, digits in rows:
            keys = key if isinstance(key, tuple) else (key,)
            cells = [" / ".join(fmt(results[s]["load"][k], digits) for k in keys) for s in sizes]
            print(f"| {label} | " + " | ".join(cells) + " |")
        for s in sizes:
            for prefix in ("", "list ", "floor "):
                if results[s]["load"][f"{prefix}errors"]:
                    print(
                        f"\nFirst errors at {s:,} ({prefix or 'mix '}): {results[s]['load'][f'{prefix}first errors']}"
                    )
    if pdfs:
        print()
        print("PDF (bench/report_bench.py, its own SQLite plan, one round)")
        print()
        print("| measures | pages | whole report (s) | WeasyPrint alone (s) | overhead ratio |")
        print("|---:|---:|---:|---:|---:|")
        for measures, found in pdfs.items():
            print(
                f"| {measures:,} | {found.get('pages', '?')} | {found.get('whole report', '?')} | "
                f"{found.get('WeasyPrint alone', '?')} | {found.get('overhead ratio', '?')} |"
            )


if __name__ == "__main__":
    main()
