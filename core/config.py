"""Settings from environment variables, with defaults that need nothing but Python.

Every variable is documented in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


def _instance_path() -> Path:
    return Path(os.environ.get("RESHELF_INSTANCE_PATH", "instance")).resolve()


def _read_or_create(path: Path, make: str) -> str:
    """Return the secret in ``path``, writing ``make`` there first if it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(make)
    return make


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    encryption_keys: tuple[str, ...]
    public_url: str
    shopify_api_key: str
    shopify_api_secret: str
    shopify_api_version: str = "2026-04"
    inbox_retention_days: int = 30
    inbox_processed_body_days: int = 7
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def embedded_queue(self) -> bool:
        """True when no Redis is configured and jobs run inside the serving process."""
        return not self.redis_url


def load_settings() -> Settings:
    """Read the environment; create the instance folder's secrets on first use."""
    from cryptography.fernet import Fernet

    instance = _instance_path()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'reshelf.sqlite3'}"
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy's bare scheme means psycopg2.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    keys = os.environ.get("RESHELF_ENCRYPTION_KEY") or _read_or_create(
        instance / "encryption.key", Fernet.generate_key().decode()
    )
    secret_key = os.environ.get("SECRET_KEY") or _read_or_create(
        instance / "secret.key", secrets.token_urlsafe(32)
    )
    return Settings(
        instance_path=instance,
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=secret_key,
        encryption_keys=tuple(k.strip() for k in keys.split(",") if k.strip()),
        public_url=os.environ.get("RESHELF_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        shopify_api_key=os.environ.get("SHOPIFY_API_KEY", ""),
        shopify_api_secret=os.environ.get("SHOPIFY_API_SECRET", ""),
        inbox_retention_days=int(os.environ.get("RESHELF_INBOX_RETENTION_DAYS", "30")),
        inbox_processed_body_days=int(os.environ.get("RESHELF_INBOX_PROCESSED_BODY_DAYS", "7")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; tests call ``get_settings.cache_clear()``."""
    return load_settings()
