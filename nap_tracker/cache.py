"""The cache backend: Django's Redis cache, with one Redis client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and each
one fills a table of some thousand response handlers: a page that reads the cache a few times spent
more on building clients than on talking to Redis. A `redis.Redis` is safe to share between threads
(each command takes a connection from the pool), so one per pool is kept and reused.

Also `new_version`: how the dashboard's and the measures list's kept copies are told that what they
show has changed (reporting/caching.py, measures/list_cache.py).
"""

import logging
import uuid

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.db import transaction

logger = logging.getLogger(__name__)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def new_version(key: str, what: str) -> None:
    """Give the version kept under `key` a new value, now and again when the transaction commits: a visit in
    between may have kept what it read before the commit under the first new value. With the cache away it
    only logs: saving a plan must not fail because of the cache, and the entries expire on their own."""
    from django.core.cache import cache

    def bump():
        try:
            cache.set(key, uuid.uuid4().hex, None)
        except Exception:
            logger.warning("Could not mark %s changed in the cache", what, exc_info=True)

    bump()
    transaction.on_commit(bump)


def on_saves(receiver, models, uid: str) -> None:
    """Connect `receiver` to the saves and deletions of each of `models` (once, whatever the calls)."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete-{model.__name__}")
