"""Rate limits: one Flask-Limiter, every limit Reshelf applies, and the 429 answer.

Each limit is a named setting (``core.config.RATE_LIMITS``: a variable per limit, in
Flask-Limiter's notation, read per request so tests and operators can change them) and a
key: who is counted. Views take one decorator line from here (``portal_lookup``,
``admin_login``, ``connect_start``); ``password_reset`` and ``photo_upload`` are ready for
the routes that will need them.

What is counted:

- Portal lookups: every POST per client address (a ceiling, so a burst is not all
  answered), and the *failed* ones (anything but the redirect to the order) per address and
  per shop and order number, so guessing an order's email from many addresses is cut off too.
- Admin sign-in: failed attempts per account (the posted email, lower-cased) and per
  address. A lock refuses the right password as well, or it would confirm a guess.
- The WooCommerce connect start: every call per signed-in user (per address otherwise).
- The first-run form (the first owner's account): every POST per address.

The growing delay is stacked windows: "5 per minute; 20 per hour" locks an account for the
rest of the minute after 5 failures, and after 20 within the hour for the rest of the hour.
Every window is evaluated (``fail_on_first_breach=False``), so ``Retry-After`` names the
longest wait, not the first window found full.

Client addresses are ``REMOTE_ADDR``; ``X-Forwarded-For`` counts only for as many proxies as
``RESHELF_TRUSTED_PROXIES`` says (werkzeug's ProxyFix), else anyone could pick their own.
Storage is Redis when ``REDIS_URL`` is set (shared by every web process), memory otherwise;
if Redis goes away, each process falls back to memory rather than failing the request.
Nothing applies by default: webhooks and the rest of the app never reach the storage.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from core.config import Settings
from core.queries import normalise_order_number

F = TypeVar("F", bound=Callable[..., Any])


def client_address() -> str:
    """The address the request came from (after ProxyFix, when proxies are trusted)."""
    return request.remote_addr or "unknown"


def posted_account() -> str:
    """The account a sign-in names: its email as the form posted it, trimmed, lower-cased."""
    return "account:" + request.form.get("email", "").strip().lower()


def looked_up_order() -> str:
    """The shop and order number a lookup names, written the way the lookup reads it."""
    shop_key = (request.view_args or {}).get("shop_key", "")
    return f"order:{shop_key}:{normalise_order_number(request.form.get('number', ''))}"


def signed_in_user() -> str:
    """The signed-in user, or the address for anyone else."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return client_address()


def failed(response: Response) -> bool:
    """A failed attempt: the form came back (a success redirects); a refusal is no attempt."""
    return not 300 <= response.status_code < 400 and response.status_code != 429


def _is_webhook() -> bool:
    """Store deliveries are never limited: stores retry, and the ack path counts µs."""
    return request.path.startswith("/webhooks/")


class _Limiter(Limiter):
    """Flask-Limiter, returning at once on webhook deliveries.

    Its ``request_filter`` exemption still evaluates an empty set of limits, about 20 µs a
    request against the 0.36 ms Reshelf adds to an acknowledgement; skipping the check
    leaves only its after-request bookkeeping, which has no exemption.
    """

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        """Flask-Limiter's check, except on webhooks."""
        if not _is_webhook():
            super()._check_request_limit(callable_name, in_middleware)


limiter = _Limiter(
    client_address,
    default_limits=[],
    headers_enabled=True,
    fail_on_first_breach=False,
    in_memory_fallback_enabled=True,
    key_prefix="reshelf",
)


def _setting(name: str) -> Callable[[], str]:
    """The limit ``name`` as this app's settings have it, read when a request is counted."""
    return lambda: str(current_app.config["RATE_LIMITS"][name])


def _stack(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Apply several limits as one decorator line."""

    def apply(view: F) -> F:
        """Wrap ``view`` in each limit, the first one outermost."""
        for decorate in reversed(decorators):
            view = decorate(view)
        return view

    return apply


def _limit(name: str, key: Callable[[], str], *, only_failed: bool = False) -> Any:
    """Flask-Limiter's decorator for limit ``name`` on POSTs, keyed by ``key``."""
    return limiter.limit(
        _setting(name), key_func=key, methods=["POST"], deduct_when=failed if only_failed else None
    )


portal_lookup = _stack(
    _limit("lookup_per_ip", client_address),
    _limit("lookup_failed_per_ip", client_address, only_failed=True),
    _limit("lookup_failed_per_order", looked_up_order, only_failed=True),
)
admin_login = _stack(
    _limit("login_failed_per_account", posted_account, only_failed=True),
    _limit("login_failed_per_ip", client_address, only_failed=True),
)
# For the password-reset request and the portal's photo upload (not built yet): each
# reset request counts, per account asked for and per address; uploads per address.
password_reset = _stack(
    _limit("password_reset_per_account", posted_account),
    _limit("password_reset_per_ip", client_address),
)
photo_upload = _limit("photo_upload_per_ip", client_address)
connect_start = limiter.limit(_setting("connect_start_per_user"), key_func=signed_in_user)
# The first-run form, while nobody has an account: every POST per address.
first_run = _stack(_limit("first_run_per_ip", client_address))


def init_limits(app: Flask, settings: Settings) -> None:
    """Bind the limiter to ``app`` with its storage, and answer 429 with the styled page."""
    limits = app.config.setdefault("RATE_LIMITS", dict(settings.rate_limits))
    for name, value in limits.items():
        try:
            parse_many(value)
        except ValueError as exc:  # a typo in a variable fails at start, not at the first try
            raise ValueError(f"rate limit {name}: {value!r} is not a limit: {exc}") from exc
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    limiter.init_app(app)
    if "jinja2.ext.InternationalizationExtension" not in app.jinja_env.extensions:
        # The 429 page's texts are gettext calls; until translations are installed they
        # read as written. Flask-Babel installs its own callables into this extension.
        app.jinja_env.add_extension("jinja2.ext.i18n")
        app.jinja_env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    app.register_error_handler(RateLimitExceeded, too_many_requests)


def too_many_requests(_error: RateLimitExceeded) -> tuple[str | Response, int]:
    """The styled 429 page (JSON for API calls) saying how long to wait.

    Flask-Limiter adds ``Retry-After`` to this answer; the page says the same wait in words.
    """
    limit = limiter.current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit is not None else 60
    if request.blueprint == "api" or request.accept_mimetypes.best == "application/json":
        return jsonify(error="too_many_requests", retry_after=wait), 429
    return render_template("429.html", wait_seconds=wait, wait_minutes=math.ceil(wait / 60)), 429
