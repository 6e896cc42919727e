"""Logs an operator can use: one line per request and per task, each carrying a request id.

The id is taken from the proxy's `X-Request-ID` header when it is a plain token, otherwise made
here; it is sent back in the response's `X-Request-ID`, put on every log line written while the
request is served, and travels with each Celery task the request queues, so the worker's lines for
that task carry the same id. `LOG_FORMAT=json` writes one JSON object a line; the default is
readable text.
"""

import contextvars
import json
import logging
import re
import time
import traceback
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a proxy: a token, never something that could forge a log line.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_logger = logging.getLogger("nap_tracker.request")
task_logger = logging.getLogger("nap_tracker.task")


def new_request_id() -> str:
    return uuid.uuid4().hex


# --- Formatting ---------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Put the current request id (or "-") on every record, for both formats."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


# Attributes every LogRecord has; anything else on a record was passed through `extra=`.
_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras, traceback."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")


# --- Requests -----------------------------------------------------------------------------


class RequestLogMiddleware:
    """Give each request an id and write one line when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if VALID_REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            user = getattr(request, "user", None)
            request_logger.info(
                "%s %s %s %.0fms",
                request.method,
                request.get_full_path()[:500],
                response.status_code,
                (time.monotonic() - started) * 1000,
                extra={
                    "method": request.method,
                    "path": request.path[:500],
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    # The id of the person, if the request already knew who it was; never a name.
                    "user_id": getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None,
                    "remote_addr": request.META.get("REMOTE_ADDR", ""),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


# --- Celery tasks -------------------------------------------------------------------------

_task_started: dict[str, float] = {}
_task_tokens: dict[str, contextvars.Token] = {}


def connect_task_signals():
    """Carry the request id into tasks and write one line per task. Called from nap_tracker.celery."""
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def add_request_id(headers=None, **kwargs):
        request_id = request_id_var.get()
        if request_id and headers is not None:
            headers.setdefault("request_id", request_id)

    @signals.task_prerun.connect(weak=False)
    def task_started(task_id=None, task=None, **kwargs):
        _task_started[task_id] = time.monotonic()
        if task.request.is_eager and request_id_var.get():
            return  # run in-process inside a request: its lines keep the request's id
        request_id = getattr(task.request, "request_id", None) or f"task-{task_id}"
        _task_tokens[task_id] = request_id_var.set(request_id)

    @signals.task_postrun.connect(weak=False)
    def task_finished(task_id=None, task=None, state=None, **kwargs):
        started = _task_started.pop(task_id, None)
        duration = round((time.monotonic() - started) * 1000, 1) if started else None
        task_logger.info(
            "task %s %s %s %sms",
            task.name,
            task_id,
            state,
            duration,
            extra={"task": task.name, "task_id": task_id, "state": state, "duration_ms": duration},
        )
        token = _task_tokens.pop(task_id, None)
        if token is not None:
            request_id_var.reset(token)
