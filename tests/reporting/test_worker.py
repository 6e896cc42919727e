"""A report sent through a real Celery worker process on Redis, as in production.

Skipped where Redis and PostgreSQL are not configured; in CI (CI set) it must run.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from nap_tracker import logs
from nap_tracker.celery import app
from reporting import services
from reporting.models import Report
from tests.conftest import require_service
from tests.factories import UserFactory
from tests.reporting.conftest import pdf_text

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


def worker_environment(queue: str) -> dict:
    database = urlsplit(os.environ["DATABASE_URL"])
    # The worker must read and write the test database this test runs on.
    test_database = urlunsplit(database._replace(path="/" + connection.settings_dict["NAME"]))
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nap_tracker.settings",
        "SECRET_KEY": "worker-test-secret-key",
        "DEBUG": "false",
        "DATABASE_URL": test_database,
        "REDIS_URL": settings.CELERY_BROKER_URL_FOR_WORKER_TESTS,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_report_is_made_by_a_real_worker_on_redis(plan, tmp_path):
    require_service("REDIS_URL", bool(os.environ.get("REDIS_URL")))
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    partner = UserFactory(username="worker-partner", role="partner", agency=plan.agencies["CLEAN-WORLD"])
    # A queue of this test's own, so that no other worker on the same Redis takes the job.
    queue = f"reports-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    with open(log, "wb") as log_file:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "nap_tracker",
                "worker",
                "--pool=solo",
                "--queues",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=worker_environment(queue),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue", "task_routes")}
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    token = logs.request_id_var.set(request_id)
    try:
        app.conf.update(
            task_always_eager=False,
            broker_url=settings.CELERY_BROKER_URL_FOR_WORKER_TESTS,
            task_default_queue=queue,
            task_routes={"reporting.tasks.generate_report": {"queue": queue}},
        )
        # The ordinary path: the request is committed, then its id goes to the broker.
        report = services.report_request(
            user=partner, kind="agency", agency=plan.agencies["MOJ"], edition=plan.edition, language="az", format="pdf"
        )
        logs.request_id_var.reset(token)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.state in (Report.State.DONE, Report.State.FAILED) or worker.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        app.conf.update(saved)
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    output = log.read_text(errors="replace")
    assert report.state == Report.State.DONE, (
        f"state {report.state} {report.error}\n--- worker log ---\n{output[-4000:]}"
    )
    assert report.attempts == 1 and report.started_at and report.finished_at
    assert "generate_report" in output and "succeeded" in output
    # The worker's line for the task carries the id of the request that asked for it.
    task_lines = [line for line in output.splitlines() if "nap_tracker.task" in line]
    assert any(request_id in line and "reporting.tasks.generate_report" in line for line in task_lines), output
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Gəncədə sığınacaq açılması" in text and "Ədliyyə Nazirliyi" in text
    assert "Qanuna dəyişiklik edilməsi" not in text  # MLSPP's measure, not in the Ministry of Justice's report
