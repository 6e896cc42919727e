"""Health endpoints for the container platform and the operator.

- `/healthz` — the process is up and answers. Touches nothing else: a database outage must not
  make the orchestrator restart every web process.
- `/readyz` — the process can do its work: the database answers, every migration is applied,
  Redis answers (when configured), and the media storage is writable. 503 when one fails.

Both answer JSON with each check's result. They are served by a middleware placed first, so that
neither `ALLOWED_HOSTS`, the HTTPS redirect, sessions nor the second-factor gate ever stand between
them and the container's own health check (`http://127.0.0.1:8000/healthz`).
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
REDIS_TIMEOUT_SECONDS = 2

# Once every migration is known to be applied, this process need not ask again: migrations are
# applied before a release starts serving and are never rolled back under a running process.
_migrations_applied = False


def check_database() -> str | None:
    """None when the database answers a query; otherwise what went wrong, in a few words."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("readyz: database check failed: %s", error)
        # A connection that failed is not kept for the next request.
        connection.close_if_unusable_or_obsolete()
        return "database unreachable"
    return None


def check_migrations() -> str | None:
    global _migrations_applied
    if _migrations_applied:
        return None
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        logger.warning("readyz: migration check failed: %s", error)
        return "cannot read the applied migrations"
    if pending:
        return f"{len(pending)} migration(s) not applied"
    _migrations_applied = True
    return None


def check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        logger.warning("readyz: Redis check failed: %s", error)
        return "redis unreachable"
    return None


def check_storage() -> str | None:
    """Write, read back and delete a small file where evidence and reports are kept."""
    name = f"health/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        try:
            with default_storage.open(saved, "rb") as handle:
                if handle.read() != b"ok":
                    return "media storage returned other content"
        finally:
            default_storage.delete(saved)
    except Exception as error:
        logger.warning("readyz: storage check failed: %s", error)
        return "media storage not writable"
    return None


READINESS_CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "redis": check_redis,
    "storage": check_storage,
}


def readiness() -> tuple[bool, dict]:
    results = {}
    ready = True
    for name, check in READINESS_CHECKS.items():
        if name == "migrations" and results.get("database", {}).get("ok") is False:
            results[name] = {"ok": False, "error": "skipped: no database"}
            continue
        if name == "redis" and not settings.REDIS_URL:
            results[name] = {"ok": True, "skipped": "not configured; tasks run in-process"}
            continue
        started = time.monotonic()
        error = check()
        results[name] = {"ok": error is None, "ms": round((time.monotonic() - started) * 1000, 1)}
        if error:
            results[name]["error"] = error
            ready = False
    return ready, results


def _json(payload: dict, status: int) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path == HEALTH_PATH:
            return _json({"status": "ok"}, 200)
        if path == READY_PATH:
            ready, checks = readiness()
            return _json({"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503)
        return self.get_response(request)
