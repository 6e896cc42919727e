"""The production shape works: gunicorn from gunicorn.conf.py, a Celery worker and beat, DEBUG off,
the settings of .env.example, on PostgreSQL and Redis — checked from outside over HTTP."""

import re
import time

import pytest

from tests.deployment.stack import Browser, select_value, wait_until

pytestmark = [pytest.mark.services, pytest.mark.deployment]


def test_the_deployed_shape_serves_styles_signs_in_and_makes_a_report(stack):
    stack.start_web()
    stack.start_worker()
    stack.start_beat()

    # Health, asked as the container asks: its own address, plain HTTP.
    response, body = stack.request("GET", "/readyz", https=False, host="127.0.0.1:8000")
    assert response.status == 200, body
    assert b'"status": "ok"' in body and b'"redis": {"ok": true' in body

    # Plain HTTP from outside is sent to HTTPS; HSTS is on.
    response, _ = stack.request("GET", "/accounts/login/", https=False)
    assert response.status == 301 and response.getheader("Location").startswith("https://")
    browser = Browser(stack)
    response, page = browser.get("/accounts/login/")
    assert response.status == 200
    assert "max-age=31536000" in response.getheader("Strict-Transport-Security")

    # The stylesheet: a hashed name, served by the application with a far-future cache header, gzipped.
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
    assert css, "the page does not link a hashed stylesheet"
    response, content = stack.request("GET", css.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/css")
    assert "max-age=315360000" in response.getheader("Cache-Control")
    assert "immutable" in response.getheader("Cache-Control")
    assert response.getheader("Content-Encoding") == "gzip"
    # The admin's styles too.
    response, admin_page = stack.request("GET", "/admin/login/")
    admin_css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', admin_page.decode())
    assert admin_css, "the admin does not link a hashed stylesheet"
    assert stack.request("GET", admin_css.group(1))[0].status == 200

    # Sign in as the international partner and ask for the plan's progress report.
    browser.sign_in("partner")
    response, home = browser.get("/")
    assert response.status == 200 and "Sign out" in home
    response, form = browser.get("/reports/new/")
    assert response.status == 200
    edition = select_value(form, "edition", "2020")
    response, _ = browser.post(
        "/reports/new/", {"kind": "edition", "edition": edition, "language": "en", "format": "pdf"}
    )
    assert response.status == 302, "the report request was not accepted"
    request_id = response.getheader("X-Request-ID")

    def download_link():
        _, listing = browser.get("/reports/")
        found = re.search(r'href="(/reports/(\d+)/download/)"', listing)
        return found.group(1) if found else None

    link = wait_until(download_link, timeout=120, interval=1, what="the report made by the worker")
    response, _ = browser.get(link)
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/pdf"
    raw_response, raw = stack.request("GET", link, headers={"Cookie": f"sessionid={browser.cookies['sessionid']}"})
    assert raw[:5] == b"%PDF-"

    # Logs: one JSON line per request and per task, the task's line carrying the request's id.
    web_lines = stack.json_lines("web")
    assert any(line.get("path") == "/reports/new/" and line.get("status") == 302 for line in web_lines)
    assert all("request_id" in line for line in web_lines if line.get("logger") == "nap_tracker.request")

    def task_line():
        return next(
            (
                line
                for line in stack.json_lines("worker")
                if line.get("logger") == "nap_tracker.task" and line.get("task") == "reporting.tasks.generate_report"
            ),
            None,
        )

    line = wait_until(task_line, timeout=10, what="the worker's line for the report task")
    assert line["request_id"] == request_id and line["state"] == "SUCCESS"

    # Beat is up and keeps its schedule where it was told to.
    time.sleep(1)
    assert stack.processes["beat"].poll() is None, stack.log("beat")[-2000:]
    assert "beat: Starting" in stack.log("beat")
    assert list(stack.folder.glob("celerybeat-schedule*"))
    # Nothing went wrong anywhere.
    assert not [line for line in web_lines if line.get("level") == "ERROR"]
