"""/healthz and /readyz: what the container platform and the operator read."""

import json
import socket

import pytest
from django.db.migrations.executor import MigrationExecutor

from nap_tracker import health


@pytest.fixture(autouse=True)
def forget_migrations():
    """Each test asks about the migrations afresh."""
    health._migrations_applied = False
    yield
    health._migrations_applied = False


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_touching_the_database(client, settings):
    # No `db` fixture: any query here would raise.
    settings.ALLOWED_HOSTS = ["nap.example.gov.az"]
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_reports_every_check_when_all_is_well(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "redis", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


def test_the_container_can_ask_even_though_its_address_is_not_an_allowed_host(client, db, settings):
    """The health check asks http://127.0.0.1:8000 while ALLOWED_HOSTS names the public host only,
    and plain HTTP would be redirected to HTTPS: neither applies to the health endpoints."""
    settings.ALLOWED_HOSTS = ["nap.example.gov.az"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""
    assert client.get("/readyz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/healthz/", HTTP_HOST="127.0.0.1:8000").status_code == 200
    # Every other page keeps both protections.
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_readyz_fails_when_a_migration_is_not_applied(client, db, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("measures.0099_new", False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["migrations"] == {
        "ok": False,
        "ms": body["checks"]["migrations"]["ms"],
        "error": "1 migration(s) not applied",
    }
    assert body["checks"]["database"]["ok"] is True


def test_readyz_fails_when_redis_cannot_be_reached(client, db, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["error"] == "redis unreachable"


def test_readyz_fails_when_files_cannot_be_stored(client, db, settings, tmp_path):
    settings.REDIS_URL = ""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["error"] == "media storage not writable"


def test_readyz_fails_when_the_database_cannot_be_reached(client, db, settings, monkeypatch):
    settings.REDIS_URL = ""

    def unreachable():
        return "database unreachable"

    monkeypatch.setitem(health.READINESS_CHECKS, "database", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = json.loads(response.content)["checks"]
    assert checks["database"]["ok"] is False
    assert checks["migrations"]["error"] == "skipped: no database"


def test_readyz_leaves_nothing_behind_in_the_media_folder(client, db, settings):
    settings.REDIS_URL = ""
    client.get("/readyz")
    health_folder = settings.MEDIA_ROOT / "health"
    assert not health_folder.exists() or not any(health_folder.iterdir())
