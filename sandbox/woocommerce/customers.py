"""``/customers`` and ``/coupons``.

Sources: includes/rest-api/Controllers/Version3/class-wc-rest-customers-controller.php
(duplicate email: ``registration-error-email-exists``, 400) and
class-wc-rest-coupons-controller.php (duplicate code:
``woocommerce_rest_coupon_code_already_exists``, 400; ``code`` filter on the list).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from .common import body, listing, not_found, reply, require_key, store
from .store import Resource, WooError, money

bp = Blueprint("wc_customers", __name__, url_prefix="/wp-json/wc/v3")
bp.before_request(require_key)

_CUSTOMER_FIELDS = ("first_name", "last_name", "username")
_COUPON_FIELDS = (
    "discount_type",
    "description",
    "individual_use",
    "usage_limit",
    "usage_limit_per_user",
    "email_restrictions",
    "date_expires",
    "meta_data",
)


def _customer(customer_id: int) -> Resource:
    customer = store().customers.get(customer_id)
    if customer is None:
        raise not_found("customer")
    return customer


def _apply_customer(customer: Resource, data: dict[str, Any]) -> None:
    for name in _CUSTOMER_FIELDS:
        if name in data:
            customer[name] = data[name]
    for name in ("billing", "shipping"):
        customer[name].update(data.get(name, {}))
    store().stamp(customer, "date_modified")


@bp.get("/customers")
def list_customers() -> Response:
    """List customers, optionally by email."""
    items = list(store().customers.values())
    if request.args.get("email"):
        items = [c for c in items if c["email"] == request.args["email"]]
    return listing(items)


@bp.post("/customers")
def create_customer() -> Response:
    """Create a customer (``customer.created``)."""
    data, site = body(), store()
    with site.lock:
        if any(c["email"] == data.get("email") for c in site.customers.values()):
            raise WooError(
                "registration-error-email-exists",
                "An account is already registered with your email address.",
                400,
            )
        customer: Resource = {
            "id": site.next_post_id(),
            "email": data.get("email", ""),
            "first_name": "",
            "last_name": "",
            "username": "",
            "role": "customer",
            "billing": {},
            "shipping": {},
            "is_paying_customer": False,
            "meta_data": [],
        }
        site.stamp(customer, "date_created", "date_modified")
        _apply_customer(customer, data)
        site.customers[customer["id"]] = customer
    site.emit("customer", "created", customer["id"])
    return reply(customer, 201)


@bp.get("/customers/<int:customer_id>")
def get_customer(customer_id: int) -> Response:
    """One customer."""
    return reply(_customer(customer_id))


@bp.route("/customers/<int:customer_id>", methods=["PUT", "PATCH", "POST"])
def update_customer(customer_id: int) -> Response:
    """Update a customer (``customer.updated``)."""
    site = store()
    with site.lock:
        customer = _customer(customer_id)
        _apply_customer(customer, body())
    site.emit("customer", "updated", customer_id)
    return reply(customer)


@bp.get("/coupons")
def list_coupons() -> Response:
    """List coupons, optionally by code."""
    items = list(store().coupons.values())
    if request.args.get("code"):
        items = [c for c in items if c["code"] == request.args["code"].lower()]
    return listing(items)


@bp.post("/coupons")
def create_coupon() -> Response:
    """Create a coupon; codes are unique and stored lower-case (wc_format_coupon_code)."""
    data, site = body(), store()
    code = str(data.get("code", "")).strip().lower()
    with site.lock:
        if not code or any(c["code"] == code for c in site.coupons.values()):
            raise WooError(
                "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists", 400
            )
        coupon: Resource = {
            "id": site.next_post_id(),
            "code": code,
            "amount": money(data.get("amount", 0)),
            "discount_type": "fixed_cart",
            "description": "",
            "individual_use": False,
            "usage_limit": None,
            "usage_limit_per_user": None,
            "usage_count": 0,
            "email_restrictions": [],
            "date_expires": None,
            "meta_data": [],
        }
        for name in _COUPON_FIELDS:
            if name in data:
                coupon[name] = data[name]
        site.stamp(coupon, "date_created", "date_modified")
        site.coupons[coupon["id"]] = coupon
    site.emit("coupon", "created", coupon["id"])
    return reply(coupon, 201)


@bp.get("/coupons/<int:coupon_id>")
def get_coupon(coupon_id: int) -> Response:
    """One coupon."""
    coupon = store().coupons.get(coupon_id)
    if coupon is None:
        raise not_found("shop_coupon")
    return reply(coupon)
