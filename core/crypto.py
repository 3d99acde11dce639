"""Encryption at rest for secrets (access tokens, consumer secrets, webhook secrets).

``RESHELF_ENCRYPTION_KEY`` may list several Fernet keys separated by commas: the first
encrypts, all decrypt, so a key can be rotated without a migration.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, MultiFernet

from core.config import get_settings

_fernet: MultiFernet | None = None


def use_keys(keys: tuple[str, ...] | list[str]) -> None:
    """Set the keys explicitly (tests, key rotation tooling)."""
    global _fernet
    _fernet = MultiFernet([Fernet(k.encode()) for k in keys])


def _cipher() -> MultiFernet:
    if _fernet is None:
        use_keys(get_settings().encryption_keys)
    assert _fernet is not None
    return _fernet


def encrypt_json(value: dict[str, Any]) -> bytes:
    """Serialise and encrypt a JSON object."""
    return _cipher().encrypt(json.dumps(value, sort_keys=True).encode())


def decrypt_json(token: bytes) -> dict[str, Any]:
    """Decrypt and parse what ``encrypt_json`` produced."""
    value = json.loads(_cipher().decrypt(bytes(token)))
    if not isinstance(value, dict):
        raise ValueError("encrypted value is not a JSON object")
    return value
