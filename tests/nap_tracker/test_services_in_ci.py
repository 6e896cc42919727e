"""In CI the suite runs against the real PostgreSQL and Redis; these tests make sure of it."""

import os

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.conftest import IN_CI, require_service


@pytest.mark.skipif(not IN_CI, reason="only CI promises PostgreSQL")
def test_ci_runs_the_suite_on_postgresql(db):
    assert connection.vendor == "postgresql", "CI must never fall back to SQLite"


@pytest.mark.skipif(not IN_CI, reason="only CI promises Redis")
def test_ci_configures_redis():
    assert settings.REDIS_URL.startswith("redis://")


def test_redis_answers_and_backs_the_cache():
    require_service("REDIS_URL", bool(os.environ.get("REDIS_URL")))
    client = redis.Redis.from_url(settings.REDIS_URL)
    assert client.ping() is True
    cache.set("nap-tracker-probe", {"measures": 42}, timeout=30)
    assert cache.get("nap-tracker-probe") == {"measures": 42}
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]
    cache.delete("nap-tracker-probe")
