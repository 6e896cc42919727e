import os

import pytest

from tests.conftest import require_service
from tests.deployment.stack import PrivateRedis, SharedDatabase, Stack


def require_real_services():
    database_url = os.environ.get("DATABASE_URL", "")
    require_service("PostgreSQL (DATABASE_URL)", database_url.startswith(("postgres://", "postgresql://")))
    require_service("REDIS_URL", bool(os.environ.get("REDIS_URL")))
    return database_url


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A database of its own with the demo loaded, static files collected, and a private Redis.

    Processes are started per test; the data and the Redis are shared within a module."""
    database_url = require_real_services()
    folder = tmp_path_factory.mktemp("deployment")
    database = SharedDatabase(database_url)
    database.create()
    redis = PrivateRedis(folder)
    redis.start()
    try:
        stack = Stack(folder, database_url=database.url, redis_url=redis.url)
        stack.prepare()
        yield stack, redis
    finally:
        redis.stop()
        database.destroy()


@pytest.fixture
def stack(prepared):
    stack, redis = prepared
    if not redis.answers():
        redis.start()
    yield stack
    stack.stop_all()
