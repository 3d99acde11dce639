"""Rate limits: portal lookups, admin sign-in, the WooCommerce connect start; never webhooks.

Addresses come from ``REMOTE_ADDR`` (``environ_base``); a forged ``X-Forwarded-For`` must not
change who is counted.
"""

from __future__ import annotations

import os
import time

import pytest
from limits.storage import MemoryStorage
from redis import Redis

from core.config import get_settings
from tests.webapp.actions import AdminActions, csrf_token
from tests.webapp.conftest import STAFF_EMAIL, STAFF_PASSWORD
from webapp import create_app


def _lookups(client, shop_key, forms, address="203.0.113.7", headers=None):
    """Post each lookup form from ``address``; the statuses, and the last answer."""
    page = client.get(f"/returns/{shop_key}/", environ_base={"REMOTE_ADDR": address})
    token = csrf_token(page)
    statuses, answer = [], None
    for form in forms:
        answer = client.post(
            f"/returns/{shop_key}/",
            data={**form, "csrf_token": token},
            environ_base={"REMOTE_ADDR": address},
            headers=headers or {},
        )
        statuses.append(answer.status_code)
    return statuses, answer


def _wrong(store, n=1):
    """``n`` lookups of the store's order with a wrong email."""
    return [{"number": store.order.number, "email": "guess@example.com"}] * n


def _unknown(n, start=9000):
    """``n`` lookups of order numbers that do not exist, each a different one."""
    return [{"number": str(start + i), "email": "guess@example.com"} for i in range(n)]


def _login(client, email, password, address="203.0.113.7"):
    """Sign in through the form from ``address``."""
    page = client.get("/admin/login", environ_base={"REMOTE_ADDR": address})
    form = {"email": email, "password": password, "csrf_token": csrf_token(page)}
    return client.post("/admin/login", data=form, environ_base={"REMOTE_ADDR": address})


def _fresh_app(engine, **config):
    """An app of the test's own; counts left by earlier tests (in Redis) are cleared."""
    from webapp.limits import limiter

    app = create_app({"TESTING": True, "DATABASE_ENGINE": engine, **config})
    limiter.reset()
    return app


def _retry_after(answer) -> int:
    value = answer.headers.get("Retry-After")
    assert value is not None, "a 429 says when to come back"
    return int(value)


def test_200_lookups_in_a_row_are_not_all_answered(client, store):
    right = {"number": store.order.number, "email": store.email}
    statuses, last = _lookups(client, store.shop.key, [right] * 200)
    assert statuses[:60] == [302] * 60  # the default ceiling: 60 a minute
    assert set(statuses[60:]) == {429}
    assert 0 < _retry_after(last) <= 60
    page = last.get_data(as_text=True)
    assert "Too many tries" in page
    assert "style.css" in page  # the styled page, not a bare 429


def test_failed_lookups_from_one_address_are_cut_off_even_with_the_right_answer(client, store):
    statuses, _ = _lookups(client, store.shop.key, _unknown(10))
    assert statuses == [200] * 10  # "not found", ten times
    right = {"number": store.order.number, "email": store.email}
    statuses, last = _lookups(client, store.shop.key, [right])
    assert statuses == [429]
    assert 0 < _retry_after(last) <= 600  # the window is ten minutes


def test_forged_forwarded_for_does_not_make_a_new_address(client, store):
    for n, form in enumerate(_unknown(10)):
        _lookups(client, store.shop.key, [form], headers={"X-Forwarded-For": f"10.0.0.{n}"})
    statuses, _ = _lookups(
        client, store.shop.key, _wrong(store), headers={"X-Forwarded-For": "1.2.3.4"}
    )
    assert statuses == [429]


def test_failed_lookups_of_one_order_from_many_addresses_hit_the_per_order_limit(client, store):
    numbers = [store.order.number, f"#{store.order.number}", f" {store.order.number} "]
    for n in range(5):  # one order, written three ways, from five addresses
        form = {"number": numbers[n % 3], "email": f"guess{n}@example.com"}
        statuses, _ = _lookups(client, store.shop.key, [form], address=f"198.51.100.{n}")
        assert statuses == [200]
    statuses, last = _lookups(client, store.shop.key, _wrong(store), address="198.51.100.99")
    assert statuses == [429]
    assert _retry_after(last) > 600  # the order's window is an hour
    other = {"number": "2002", "email": "guess@example.com"}
    statuses, _ = _lookups(client, store.shop.key, [other], address="198.51.100.99")
    assert statuses == [200]  # another order number is still answered from that address


def test_100_wrong_passwords_are_cut_off_and_the_lock_refuses_the_right_one(client, staff):
    actions = AdminActions(client)
    statuses = [actions.login(STAFF_EMAIL, f"guess {n}").status_code for n in range(100)]
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
    right = actions.login(STAFF_EMAIL.upper(), STAFF_PASSWORD)  # the same account, any case
    assert right.status_code == 429
    assert 0 < _retry_after(right) <= 60
    with client.session_transaction() as session:
        assert "_user_id" not in session  # still signed out


def test_wrong_passwords_for_many_accounts_from_one_address_are_cut_off(client, staff):
    statuses = [_login(client, f"someone{n}@example.com", "guess").status_code for n in range(40)]
    assert statuses[:30] == [200] * 30
    assert set(statuses[30:]) == {429}
    assert _login(client, STAFF_EMAIL, STAFF_PASSWORD, address="192.0.2.50").status_code == 302


def test_the_delay_grows_with_the_failures(engine, db, clock, dispatcher, staff):
    limits = {**get_settings().rate_limits, "login_failed_per_account": "1 per second; 3 per hour"}
    app = _fresh_app(engine, CLOCK=clock, DISPATCHER=dispatcher, RATE_LIMITS=limits)
    actions = AdminActions(app.test_client())
    waits = []
    for _ in range(3):
        assert actions.login(STAFF_EMAIL, "guess").status_code == 200
        locked = actions.login(STAFF_EMAIL, "guess")
        assert locked.status_code == 429
        waits.append(_retry_after(locked))
        time.sleep(1.1)  # past the one-second window, inside the hour
    assert max(waits[:2]) <= 1
    assert waits[2] > 60  # the third failure within the hour locks for the rest of it


def test_signing_in_does_not_count_against_the_account(client, staff):
    actions = AdminActions(client)
    for _ in range(8):
        assert actions.login(STAFF_EMAIL, STAFF_PASSWORD).status_code == 302
        client.post("/admin/logout", data={"csrf_token": csrf_token(client.get("/admin/login"))})


def test_connect_start_is_limited_per_user(admin, client):
    statuses = [
        client.get("/install/woocommerce/connect?store=https://shop.example").status_code
        for _ in range(12)
    ]
    assert 429 not in statuses[:10]
    assert statuses[10:] == [429, 429]


def test_limits_are_settings(monkeypatch, engine, db, clock, dispatcher, store):
    monkeypatch.setenv("RESHELF_LIMIT_LOOKUP_FAILED_PER_IP", "2 per minute")
    get_settings.cache_clear()
    try:
        app = _fresh_app(engine, CLOCK=clock, DISPATCHER=dispatcher)
        statuses, _ = _lookups(app.test_client(), store.shop.key, _wrong(store, 3))
        assert statuses == [200, 200, 429]
        monkeypatch.setenv("RESHELF_LIMIT_LOOKUP_FAILED_PER_IP", "twice a fortnight")
        get_settings.cache_clear()
        with pytest.raises(ValueError, match="lookup_failed_per_ip"):
            create_app({"TESTING": True, "DATABASE_ENGINE": engine})
    finally:
        get_settings.cache_clear()


def test_a_json_client_gets_a_json_429(client, store):
    _lookups(client, store.shop.key, _wrong(store, 10))
    _, answer = _lookups(
        client, store.shop.key, _wrong(store), headers={"Accept": "application/json"}
    )
    assert answer.status_code == 429
    assert abs(answer.get_json()["retry_after"] - _retry_after(answer)) <= 1  # a second ticked


def test_webhooks_never_reach_the_limiter_storage(app, client, store):
    from webapp.limits import limiter

    for _ in range(50):
        client.post(f"/webhooks/woocommerce/{store.shop.key}", data=b"{}")
        client.post("/webhooks/shopify", data=b"{}", headers={"X-Shopify-Topic": "orders/create"})
    assert _stored_counters(limiter) == []
    _lookups(client, store.shop.key, _wrong(store))
    assert _stored_counters(limiter) != []  # while a lookup does count


def _stored_counters(limiter) -> list[object]:
    """The counters in the limiter's storage: memory's dict, or Redis's keys."""
    storage = limiter.storage
    if isinstance(storage, MemoryStorage):
        return list(storage.storage)
    return list(storage.storage.scan_iter("LIMITS*"))


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_with_redis_the_counts_live_in_redis(client, store):
    redis = Redis.from_url(os.environ["REDIS_URL"])
    _lookups(client, store.shop.key, _wrong(store))
    keys = [k.decode() for k in redis.scan_iter("LIMITS*")]
    assert any(f"order:{store.shop.key}:{store.order.number}" in k for k in keys), keys


def test_behind_a_trusted_proxy_the_forwarded_address_counts(monkeypatch, engine, db, store):
    monkeypatch.setenv("RESHELF_TRUSTED_PROXIES", "1")
    get_settings.cache_clear()
    try:
        client = _fresh_app(engine).test_client()
        _lookups(client, store.shop.key, _unknown(10), headers={"X-Forwarded-For": "192.0.2.1"})
        blocked, _ = _lookups(
            client,
            store.shop.key,
            _unknown(1, start=9500),
            headers={"X-Forwarded-For": "192.0.2.1"},
        )
        other, _ = _lookups(
            client,
            store.shop.key,
            _unknown(1, start=9600),
            headers={"X-Forwarded-For": "192.0.2.2"},
        )
        assert (blocked, other) == ([429], [200])
    finally:
        get_settings.cache_clear()
