"""The Flask app factory: configuration, extensions and one blueprint per concern."""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, render_template, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from core.config import get_settings
from webapp import admin, api, auth, portal
from webapp.clock import init_clock
from webapp.db import init_db
from webapp.extensions import csrf, login_manager
from webapp.filters import init_filters
from webapp.install import shopify as shopify_install
from webapp.install import woocommerce as woocommerce_install
from webapp.jobs import init_jobs
from webapp.limits import init_limits
from webapp.security_headers import init_security_headers
from webapp.webhooks import endpoint as webhook_endpoint

# The browser's blueprints: their forms' POSTs carry a CSRF token (a single view a store's
# server posts to, such as WooCommerce's key callback, is exempted where it is defined).
PAGE_BLUEPRINTS = (portal.bp, auth.bp, admin.bp, api.bp, shopify_install.bp, woocommerce_install.bp)
# The blueprints whose POSTs come from a store's servers, signed by the store, so exempt
# from CSRF (they have no form to carry a token).
STORE_BLUEPRINTS = (webhook_endpoint.bp,)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app from the environment's settings, overridden by ``test_config``."""
    settings = get_settings()
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        PUBLIC_URL=settings.public_url,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        SESSION_IDLE_MINUTES=settings.session_idle_minutes,
        ALLOW_PRIVATE_STORES=settings.allow_private_stores,
    )
    if test_config:
        app.config.from_mapping(test_config)

    init_db(app)
    init_clock(app)
    init_jobs(app)
    init_filters(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see the returns desk."

    for blueprint in PAGE_BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in STORE_BLUEPRINTS:
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)

    app.add_url_rule("/", "index", go_to_admin)
    app.register_error_handler(CSRFError, explain_expired_form)
    init_limits(app, settings)
    init_security_headers(app, app.config["PUBLIC_URL"])
    return app


def explain_expired_form(_error: CSRFError) -> tuple[str, int]:
    """A form without a valid token: say what to do instead of "Bad Request"."""
    return render_template("expired.html"), 400


def go_to_admin() -> Response:
    """The site's root leads staff to the returns desk."""
    return redirect(url_for("admin.list_returns"))
