"""A stand-in platform blueprint whose POSTs come from a store's servers, not a browser."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("fake_platform", __name__, url_prefix="/fake-platform")


@bp.post("/deliveries")
def receive_delivery() -> str:
    """Accept a delivery (the real blueprints verify a signature instead of a CSRF token)."""
    return "stored"
