"""The emulator's WSGI app: the Admin API endpoints Reshelf calls, and the seeding API.

The shop is the request's host (``X-Forwarded-Host`` when the transport in
``sandbox.shopify.transport`` rewrote ``https://SHOP.myshopify.com`` to 127.0.0.1).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, jsonify, request, send_from_directory

from sandbox.shopify import (
    dispositions,
    inventory,
    order_mutations,
    queries,
    refunds,
    returns,
    returns_process,
)
from sandbox.shopify.emulator import AppConfig, Emulator
from sandbox.shopify.graphql_api import Context, answer
from sandbox.shopify.seed_api import seed_api
from sandbox.shopify.seeding import Seeder
from sandbox.shopify.state import Shop
from sandbox.shopify.storefront import StorefrontSettings
from sandbox.shopify.storefront import bp as storefront
from sandbox.shopify.tokens import TokenError, authorised, exchange, grant_body

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
# The resolver modules register their fields when imported.
_RESOLVERS = (dispositions, inventory, order_mutations, queries, refunds, returns, returns_process)


def _request_shop(emulator: Emulator) -> Shop:
    host = request.headers.get("X-Forwarded-Host") or request.host
    try:
        return emulator.shop(host.split(":")[0])
    except KeyError:
        abort(404)


def create_emulator(emulator: Emulator | None = None, **app_config: Any) -> Flask:
    """Build the emulator's Flask app; ``app.extensions["shopify_emulator"]`` is its Emulator."""
    emulator = emulator or Emulator(AppConfig(**app_config))
    app = Flask(__name__)
    app.extensions["shopify_emulator"] = emulator
    app.extensions["shopify_seeder"] = Seeder(emulator)
    app.extensions["shopify_storefront"] = StorefrontSettings()
    app.register_blueprint(seed_api, url_prefix="/_sandbox")
    app.register_blueprint(storefront)

    @app.post("/admin/api/<version>/graphql.json")
    def graphql(version: str) -> Response | tuple[Response, int]:
        """Run one Admin API GraphQL request."""
        shop = _request_shop(emulator)
        if not authorised(shop, request.headers.get("X-Shopify-Access-Token")):
            # https://shopify.dev/docs/api/admin-graphql#status-and-error-codes (401)
            return jsonify(errors=INVALID_TOKEN), 401
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(errors={"query": "Required parameter missing or invalid"}), 400
        base_url = request.host_url.rstrip("/")
        scopes = frozenset(shop.tokens[request.headers["X-Shopify-Access-Token"]].scope.split(","))
        return jsonify(answer(Context(shop, emulator, base_url, scopes), body))

    @app.post("/admin/oauth/access_token")
    def access_token() -> Response | tuple[Response, int]:
        """Token exchange and refresh."""
        shop = _request_shop(emulator)
        body = request.get_json(silent=True) or request.form.to_dict()
        try:
            with shop.lock:
                token = exchange(
                    shop,
                    body,
                    emulator.app.client_id,
                    emulator.app.client_secret,
                    emulator.app.scopes,
                    emulator.app.token_seconds,
                )
        except TokenError as exc:
            return jsonify(error=exc.code), exc.status
        return jsonify(grant_body(token))

    @app.get("/_sandbox/bulk/<name>")
    def bulk_file(name: str) -> Response:
        """Serve a finished bulk operation's JSONL file."""
        return send_from_directory(emulator.bulk_dir, name, mimetype="application/jsonl")

    return app
