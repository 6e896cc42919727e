"""Logs an operator can use: a line per request and per task, a request id that links them, JSON on request."""

import json
import logging

import pytest

from nap_tracker import logs


def test_every_response_carries_a_request_id_and_one_log_line(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="nap_tracker.request"):
        response = client.get("/accounts/login/?next=/measures/")
    request_id = response["X-Request-ID"]
    assert logs.VALID_REQUEST_ID.match(request_id)
    lines = [record for record in caplog.records if record.name == "nap_tracker.request"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.path, line.status) == ("GET", "/accounts/login/", 200)
    assert line.request_id == request_id
    assert line.duration_ms >= 0


def test_a_request_id_from_the_proxy_is_kept_when_it_is_a_plain_token(client, db):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="proxy-4f1c2a9e")
    assert response["X-Request-ID"] == "proxy-4f1c2a9e"


@pytest.mark.parametrize("forged", ["short", "two words here", "x\n2026-01-01 INFO forged line", "é" * 20, "a" * 65])
def test_a_request_id_that_could_forge_a_log_line_is_replaced(client, db, forged):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=forged)
    assert response["X-Request-ID"] != forged
    assert logs.VALID_REQUEST_ID.match(response["X-Request-ID"])


def test_json_lines_hold_the_fields_a_log_collector_reads():
    formatter = logs.JsonFormatter()
    token = logs.request_id_var.set("req-12345678")
    try:
        record = logging.LogRecord("nap_tracker.request", logging.INFO, __file__, 1, "GET %s", ("/",), None)
        record.status = 200
        logs.RequestIdFilter().filter(record)
        entry = json.loads(formatter.format(record))
    finally:
        logs.request_id_var.reset(token)
    assert entry["message"] == "GET /"
    assert entry["level"] == "INFO" and entry["logger"] == "nap_tracker.request"
    assert entry["request_id"] == "req-12345678" and entry["status"] == 200
    assert entry["time"].endswith("+00:00")


def test_json_lines_carry_the_traceback_of_an_error():
    formatter = logs.JsonFormatter()
    try:
        raise RuntimeError("report renderer crashed")
    except RuntimeError:
        import sys

        record = logging.LogRecord("reporting", logging.ERROR, __file__, 1, "Report 7 failed", (), sys.exc_info())
    logs.RequestIdFilter().filter(record)
    line = formatter.format(record)
    assert "\n" not in line  # one line per entry, whatever the traceback
    entry = json.loads(line)
    assert "Traceback" in entry["exception"] and "RuntimeError: report renderer crashed" in entry["exception"]
    assert entry["request_id"] == "-"


def test_a_task_published_during_a_request_carries_its_id():
    """The header the worker reads back (the real worker's log is checked in tests/deployment)."""
    from celery import signals

    headers = {}
    token = logs.request_id_var.set("req-abcdef12")
    try:
        signals.before_task_publish.send(sender="reporting.tasks.generate_report", headers=headers, body=())
    finally:
        logs.request_id_var.reset(token)
    assert headers["request_id"] == "req-abcdef12"


def test_the_text_format_shows_the_request_id():
    record = logging.LogRecord("nap_tracker.task", logging.INFO, __file__, 1, "task done", (), None)
    record.request_id = "req-abcdef12"
    assert "[req-abcdef12] nap_tracker.task: task done" in logs.TextFormatter().format(record)


def test_a_task_run_outside_a_request_leaves_no_id_behind():
    from reporting.tasks import requeue_stuck_reports

    assert logs.request_id_var.get() == ""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("reporting.services.reports_requeue_stuck", lambda **kwargs: {})
        requeue_stuck_reports.apply()
    assert logs.request_id_var.get() == ""
