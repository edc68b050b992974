"""Rate-limit counters in the database: two storages (two instances) count together."""
import time

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from web.db import Database
from web.ratelimit_storage import DatabaseStorage, storage_uri

pytestmark = pytest.mark.both_databases


def test_two_instances_share_counts_and_windows_end(database_url):
    Database(database_url).engine.dispose()               # the schema, rate_limits included
    uri = storage_uri("database", database_url)
    first, second = storage_from_string(uri), storage_from_string(uri)
    assert isinstance(first, DatabaseStorage) and first.engine is not second.engine
    assert first.check() and second.check()
    a, b = FixedWindowRateLimiter(first), FixedWindowRateLimiter(second)
    limit = parse("5/minute")
    hits = [(a if n % 2 else b).hit(limit, "login-user", "staff") for n in range(7)]
    assert hits == [True] * 5 + [False] * 2
    assert not a.test(limit, "login-user", "staff") and a.test(limit, "login-user", "other")
    reset, remaining = b.get_window_stats(limit, "login-user", "staff")
    assert remaining == 0 and 0 < reset - time.time() <= 60
    short = parse("2/second")
    assert a.hit(short, "x") and b.hit(short, "x") and not a.hit(short, "x")
    time.sleep(1.1)
    assert b.hit(short, "x")                                # a new window
    first.clear(limit.key_for("login-user", "staff"))
    assert a.hit(limit, "login-user", "staff")
    assert second.reset() >= 2
    for storage in (first, second):
        storage.engine.dispose()


def test_other_storages_are_kept():
    assert storage_uri("memory://", "sqlite:///x.db") == "memory://"
    assert storage_uri("redis://cache:6379", "sqlite:///x.db") == "redis://cache:6379"
