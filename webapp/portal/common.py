"""The portal blueprint and what its views share: the shop of the address, the shopper's order."""

from __future__ import annotations

from flask import Blueprint, abort, session

from core.models import Order, Shop
from core.queries import active_shop
from webapp.db import get_session

bp = Blueprint("portal", __name__, url_prefix="/returns")


def shop_or_404(key: str) -> Shop:
    """The active shop with this public key, or 404."""
    shop = active_shop(get_session(), key)
    if shop is None:
        abort(404)
    return shop


def admit_shopper(order: Order) -> None:
    """Let this browser return items of ``order``: after a lookup, or a store's signed link."""
    session["portal_order"] = order.id


def admitted_order(shop: Shop) -> Order | None:
    """The order this browser was let into, if it is one of ``shop``'s."""
    order = get_session().get(Order, session.get("portal_order") or 0)
    return order if order is not None and order.shop_id == shop.id else None
