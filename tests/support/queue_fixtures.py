"""Queue fixtures: real Redis when ``REDIS_URL`` is set, fakeredis otherwise.

Owned by the worker suite; loaded for every test through ``pytest_plugins`` in conftest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.config import get_settings


@pytest.fixture
def redis_conn(_environment: None) -> Iterator[Any]:
    """A Redis connection, emptied before and after the test."""
    url = get_settings().redis_url
    if url:
        from redis import Redis

        conn = Redis.from_url(url)
    else:
        import fakeredis

        conn = fakeredis.FakeRedis()
    conn.flushdb()
    yield conn
    conn.flushdb()
