"""Costs the suite pays hundreds of times for nothing it tests; ``tests/conftest.py``
applies these before any test module is imported.

- Password hashes: werkzeug's scrypt costs ~0.2 s a hash on purpose, and the web tests
  sign in a few hundred times. Hashes made in the test process use a cheap method
  (checking reads the method from the hash, so the same code checks either). Servers the
  tests start as subprocesses keep scrypt.
- TLS contexts: every ``httpx.Client`` builds one and loads the CA bundle into it (~0.1 s);
  the emulators and connectors make a couple of hundred clients over the suite, all of
  them talking plain HTTP to 127.0.0.1. The default context is built once per process and
  shared: nothing in the suite changes a context after creating it.
"""

from __future__ import annotations

import ssl
from functools import cache
from typing import Any

from werkzeug import security

TEST_PASSWORD_METHOD = "pbkdf2:sha256:1000"
_create_default_context = ssl.create_default_context


def apply() -> None:
    """Install both shortcuts in this process."""
    security.generate_password_hash.__defaults__ = (TEST_PASSWORD_METHOD, 16)
    ssl.create_default_context = _shared_default_context  # type: ignore[assignment]


def _shared_default_context(
    purpose: ssl.Purpose = ssl.Purpose.SERVER_AUTH,
    *,
    cafile: str | None = None,
    capath: str | None = None,
    cadata: Any = None,
) -> ssl.SSLContext:
    """``ssl.create_default_context``, built once per set of arguments."""
    if cadata is not None:  # not hashable in general, and nothing here passes it
        return _create_default_context(purpose, cafile=cafile, capath=capath, cadata=cadata)
    return _cached(purpose, cafile, capath)


@cache
def _cached(purpose: ssl.Purpose, cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """One context per purpose and CA location."""
    return _create_default_context(purpose, cafile=cafile, capath=capath)
