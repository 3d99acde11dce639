"""Settings from environment variables, with defaults that need nothing but Python.

Every variable is documented in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet


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


# Rate limits in Flask-Limiter's notation ("10 per 10 minutes"; "5 per minute; 20 per hour"
# stacks windows): the name ``webapp/limits.py`` applies each under, its variable, its default.
RATE_LIMITS = {
    "lookup_per_ip": ("RESHELF_LIMIT_LOOKUP_PER_IP", "60 per minute"),
    "lookup_failed_per_ip": ("RESHELF_LIMIT_LOOKUP_FAILED_PER_IP", "10 per 10 minutes"),
    "lookup_failed_per_order": ("RESHELF_LIMIT_LOOKUP_FAILED_PER_ORDER", "5 per hour"),
    "login_failed_per_account": (
        "RESHELF_LIMIT_LOGIN_FAILED_PER_ACCOUNT",
        "5 per minute; 20 per hour",
    ),
    "login_failed_per_ip": ("RESHELF_LIMIT_LOGIN_FAILED_PER_IP", "30 per 10 minutes; 100 per day"),
    "password_reset_per_account": ("RESHELF_LIMIT_PASSWORD_RESET_PER_ACCOUNT", "3 per hour"),
    "password_reset_per_ip": ("RESHELF_LIMIT_PASSWORD_RESET_PER_IP", "10 per hour"),
    "photo_upload_per_ip": ("RESHELF_LIMIT_PHOTO_UPLOAD_PER_IP", "30 per hour"),
    "connect_start_per_user": ("RESHELF_LIMIT_CONNECT_START_PER_USER", "10 per 10 minutes"),
    "first_run_per_ip": ("RESHELF_LIMIT_FIRST_RUN_PER_IP", "10 per hour"),
}


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
    inbox_retention_days: int = 30
    session_idle_minutes: int = 60
    # Let staff connect stores on loopback or private addresses, and over plain http.
    allow_private_stores: bool = False
    rate_limits: dict[str, str] = field(default_factory=dict)
    trusted_proxies: int = 0
    inbox_processed_body_days: int = 7
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def embedded_queue(self) -> bool:
        """True when no Redis is configured and jobs run inside the serving process."""
        return not self.redis_url


def load_settings() -> Settings:
    """Read the environment; create the instance folder's secrets on first use."""
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
        session_idle_minutes=int(os.environ.get("RESHELF_SESSION_IDLE_MINUTES", "60")),
        allow_private_stores=_flag(os.environ.get("RESHELF_ALLOW_PRIVATE_STORES", "")),
        rate_limits={
            name: os.environ.get(var) or default for name, (var, default) in RATE_LIMITS.items()
        },
        trusted_proxies=int(os.environ.get("RESHELF_TRUSTED_PROXIES", "0")),
        inbox_processed_body_days=int(os.environ.get("RESHELF_INBOX_PROCESSED_BODY_DAYS", "7")),
    )


def _flag(value: str) -> bool:
    """An on/off variable: 1, true, yes or on is on; anything else (or unset) is off."""
    return value.strip().lower() in ("1", "true", "yes", "on")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; tests call ``get_settings.cache_clear()``."""
    return load_settings()
