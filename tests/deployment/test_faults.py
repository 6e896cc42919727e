"""Faults the deployment must survive, each on real processes and real services.

The services stopped here are private instances (a redis-server and a PostgreSQL cluster of
their own), so the shared ones stay up for the rest of the suite.
"""

import re
import signal
import time

import pytest

from tests.conftest import require_service
from tests.deployment.conftest import require_real_services
from tests.deployment.stack import Browser, PrivatePostgres, PrivateRedis, Stack, select_value, wait_until

pytestmark = [pytest.mark.services, pytest.mark.deployment]


def report_row(stack, report_id):
    with stack.db() as conn:
        return conn.execute("SELECT state, attempts, file FROM reporting_report WHERE id = %s", (report_id,)).fetchone()


def newest_report_id(stack) -> int:
    with stack.db() as conn:
        return conn.execute("SELECT max(id) FROM reporting_report").fetchone()[0]


def request_report(browser, *, language="en") -> None:
    _, form = browser.get("/reports/new/")
    edition = select_value(form, "edition", "2020")
    response, page = browser.post(
        "/reports/new/", {"kind": "edition", "edition": edition, "language": language, "format": "pdf"}
    )
    assert response.status == 302, page[:2000]


def report_files(stack) -> list:
    folder = stack.media / "reports"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_a_worker_killed_while_rendering_leaves_the_report_done_exactly_once(stack):
    stack.start_web()
    # A short visibility timeout: the killed worker's unacknowledged message comes back too, and
    # must find the report already handled.
    fast_recovery = {"REPORT_STUCK_AFTER": 3, "REPORT_SWEEP_SECONDS": 2, "CELERY_VISIBILITY_TIMEOUT": 8}
    stack.start_worker("worker-1", **fast_recovery)
    browser = Browser(stack)
    browser.sign_in("partner")
    files_before = len(report_files(stack))
    request_report(browser, language="az")
    report_id = newest_report_id(stack)

    wait_until(
        lambda: report_row(stack, report_id)[0] == "running",
        timeout=60,
        interval=0.02,
        what="the worker starting the report",
    )
    stack.kill("worker-1", signal.SIGKILL)  # the whole worker, children included, mid-render
    state, attempts, file = report_row(stack, report_id)
    assert (state, attempts, file) == ("running", 1, ""), "the report finished before the worker was killed"

    # A new worker, and beat for the sweep that notices the report lost its worker.
    stack.start_worker("worker-2", **fast_recovery)
    stack.start_beat(**fast_recovery)
    wait_until(
        lambda: report_row(stack, report_id)[0] in ("done", "failed"),
        timeout=120,
        interval=0.5,
        what="the report finishing on the new worker",
    )
    # Give the killed worker's message time to come back: it must change nothing.
    time.sleep(12)
    state, attempts, file = report_row(stack, report_id)
    assert state == "done", stack.log("worker-2")[-3000:]
    assert attempts == 2
    assert file and len(report_files(stack)) == files_before + 1
    response, _ = browser.get(f"/reports/{report_id}/download/")
    assert response.status == 200 and response.getheader("Content-Type") == "application/pdf"


def test_with_redis_down_updates_are_saved_and_reports_wait_until_it_is_back(stack, prepared):
    _, redis = prepared
    stack.start_web()
    stack.start_worker(REPORT_SWEEP_SECONDS=2, REPORT_QUEUED_RESEND_AFTER=3)
    stack.start_beat(REPORT_SWEEP_SECONDS=2, REPORT_QUEUED_RESEND_AFTER=3)
    focal, partner = Browser(stack), Browser(stack)
    focal.sign_in("focal")
    partner.sign_in("partner")
    with stack.db() as conn:
        measure_id, period_id = conn.execute(
            """
            SELECT m.id, p.id FROM measures_measure m
            JOIN measures_edition e ON e.id = m.edition_id AND e.state = 'active'
            JOIN measures_measureagency ma ON ma.measure_id = m.id AND ma.part = 'executing'
            JOIN nap_tracker_agency a ON a.id = ma.agency_id AND a.code = 'MLSPP'
            JOIN measures_reportingperiod p ON p.edition_id = e.id
            WHERE NOT EXISTS (SELECT 1 FROM measures_statusupdate u
                              WHERE u.measure_id = m.id AND u.agency_id = a.id AND u.period_id = p.id)
            ORDER BY p.start DESC LIMIT 1
            """
        ).fetchone()

    redis.stop()
    assert stack.status("/readyz") == 503
    assert stack.status("/healthz") == 200

    # The focal point submits an update: saved, and they are told so.
    _, form = focal.get(f"/measures/{measure_id}/updates/new/")
    response, page = focal.post(
        f"/measures/{measure_id}/updates/new/",
        {
            "period": period_id,
            "status": "in_progress",
            "progress": 60,
            "language": "en",
            "action": "submit",
            "narrative": "Training for 40 labour inspectors held in Baku and Ganja while Redis was down.",
        },
    )
    assert response.status == 302, page[:3000]
    response, page = focal.get(response.getheader("Location").replace(f"https://{'nap.example.gov.az'}", ""))
    assert response.status == 200 and "Update submitted for review." in page
    with stack.db() as conn:
        saved = conn.execute(
            "SELECT state FROM measures_statusupdate WHERE measure_id = %s AND period_id = %s", (measure_id, period_id)
        ).fetchone()
    assert saved == ("submitted",)

    # The partner asks for a report: accepted, and waiting.
    request_report(partner)
    report_id = newest_report_id(stack)
    response, listing = partner.get("/reports/")
    assert response.status == 200
    assert report_row(stack, report_id)[0] == "queued"

    # No page answered 500 meanwhile.
    assert not [line for line in stack.json_lines("web") if line.get("status", 0) >= 500]

    redis.start()
    wait_until(
        lambda: report_row(stack, report_id)[0] in ("done", "failed"),
        timeout=120,
        interval=0.5,
        what="the waiting report being made once Redis is back",
    )
    assert report_row(stack, report_id)[0] == "done", stack.log("worker")[-3000:]
    assert stack.status("/readyz") == 200


def test_a_postgresql_restart_gives_a_clean_503_and_the_site_recovers_by_itself(tmp_path):
    require_real_services()
    postgres = PrivatePostgres()
    require_service("PostgreSQL server binaries (initdb)", postgres.bin is not None)
    redis = PrivateRedis(tmp_path)
    postgres.create()
    redis.start()
    stack = Stack(tmp_path / "app", database_url=postgres.url, redis_url=redis.url)
    try:
        stack.prepare()
        stack.start_web()
        gunicorn = stack.processes["web"].pid
        browser = Browser(stack)
        browser.sign_in("partner")
        assert browser.get("/measures/")[0].status == 200

        postgres.stop()
        response, page = browser.get("/measures/")
        assert response.status == 503
        assert response.getheader("Retry-After") == "10"
        assert "briefly unavailable" in page
        assert "Traceback" not in page and "5432" not in page and str(postgres.port) not in page
        assert stack.status("/readyz") == 503
        assert stack.status("/healthz") == 200

        postgres.start()
        back = time.monotonic()
        wait_until(
            lambda: browser.get("/measures/")[0].status == 200,
            timeout=10,
            interval=0.25,
            what="the site answering normally after PostgreSQL is back",
        )
        recovered_in = time.monotonic() - back
        assert recovered_in < 10
        # The same gunicorn, still signed in: nothing was restarted, nothing lost.
        assert stack.processes["web"].pid == gunicorn and stack.processes["web"].poll() is None
        _, page = browser.get("/")
        assert "Sign out" in page
        assert stack.status("/readyz") == 200
        assert not re.search(r'"status": 500', stack.log("web"))
    finally:
        stack.stop_all()
        redis.stop()
        postgres.destroy()
