"""The Redis cache backend (nap_tracker/cache.py) keeps one Redis client per connection pool."""

import threading

import pytest
from django.conf import settings

from nap_tracker.cache import RedisCache


@pytest.fixture
def redis_cache():
    if not settings.REDIS_URL:
        pytest.skip("no REDIS_URL: the cache is in-process")
    return RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "nap-tracker-cache-test"})


def test_the_configured_cache_is_the_one_that_reuses_its_client():
    if settings.REDIS_URL:
        assert settings.CACHES["default"]["BACKEND"] == "nap_tracker.cache.RedisCache"


def test_one_client_serves_every_call_and_the_values_round_trip(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client() is client
    assert redis_cache._cache.get_client("any key", write=False) is client
    redis_cache.set("probe", {"measures": [1, 2, 3]}, timeout=30)
    assert redis_cache.get("probe") == {"measures": [1, 2, 3]}
    assert redis_cache.add("counter", 1, 30) is True
    assert redis_cache.incr("counter") == 2
    redis_cache.delete_many(["probe", "counter"])
    assert redis_cache.get("probe") is None


def test_threads_sharing_the_client_each_read_their_own_value(redis_cache):
    errors = []

    def work(n):
        for round_ in range(50):
            key = f"thread-{n}"
            redis_cache.set(key, (n, round_), timeout=30)
            if redis_cache.get(key) != (n, round_):
                errors.append((n, round_))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    redis_cache.delete_many([f"thread-{n}" for n in range(8)])
    assert errors == []
