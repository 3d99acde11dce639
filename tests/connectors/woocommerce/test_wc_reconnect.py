"""A revoked key: the shop "needs reconnect", shoppers keep their way in, the owner reconnects.

The key is revoked on the emulated store; a restock then meets the store's 401 in the
worker, which flags the shop. The portal and the plugin's links keep answering from the
mirror, the admin shows a reconnect banner, and a reconnect through wc-auth names the key
it replaced and lets the waiting restock reach the store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from connectors.woocommerce import install, portal_link
from core.enums import LedgerState, Role, ShopStatus
from core.models import Location, Order, Shop, StockMovement, Variant
from sandbox.woocommerce.store import api_hash
from tests.connectors.woocommerce.merchant import PASSWORD, Merchant
from tests.worker.fakes import add_movement
from webapp.users import add_user
from worker import admin_data, jobs, sweeper
from worker.context import WorkerContext, use_context
from worker.dispatch import RQDispatcher
from worker.sweeper import sweep


@pytest.fixture
def reshelf_config():
    return {"ALLOW_PRIVATE_STORES": True}  # the emulated store listens on 127.0.0.1


@pytest.fixture
def refused(db, engine, woo, woo_keys, woo_shop, seed, clock):
    """A mirrored order and product, then the key revoked and the shop flagged by a restock."""
    made = seed(sku="TEE", stock=5, email="ann@example.com")
    install.backfill(db, woo_shop, clock)
    add_user(db, "owner@example.com", PASSWORD, woo_shop, Role.OWNER)
    add_user(db, "agent@example.com", PASSWORD, woo_shop, Role.AGENT)
    variant = db.scalars(select(Variant).where(Variant.shop_id == woo_shop.id)).one()
    if db.scalars(select(Location).where(Location.shop_id == woo_shop.id)).first() is None:
        db.add(Location(shop_id=woo_shop.id, platform_id="default", name="Store"))
        db.commit()
    first = add_movement(db, woo_shop, variant, quantity=1)
    store = woo[0].store
    store.delete_key(store.api_keys[api_hash(woo_keys[0])].key_id)
    with use_context(WorkerContext(engine=engine)):
        jobs.apply_movement_job(first.id)
    db.expire_all()
    assert db.get(Shop, woo_shop.id).status == ShopStatus.NEEDS_RECONNECT
    assert db.get(StockMovement, first.id).state == LedgerState.PENDING  # it waits
    return {"shop": woo_shop, "order": made["order"], "variant": variant, "first": first}


def test_shoppers_keep_the_portal_and_the_plugins_links(db, reshelf, refused):
    shop, order = refused["shop"], refused["order"]
    number = db.scalars(select(Order.number).where(Order.shop_id == shop.id)).one()
    shopper = requests.Session()
    assert shopper.get(f"{reshelf}/returns/{shop.key}/", timeout=5).status_code == 200
    token = shopper.get(f"{reshelf}/returns/{shop.key}/", timeout=5).text
    csrf = token.split('name="csrf_token" value="')[1].split('"')[0]
    found = shopper.post(
        f"{reshelf}/returns/{shop.key}/",
        data={"number": number, "email": "ann@example.com", "csrf_token": csrf},
        allow_redirects=False,
        timeout=10,
    )
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/returns/{shop.key}/order")

    expires = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    secret = shop.credential("portal_link_secret")
    base = f"{reshelf}/returns/{shop.key}"
    link = portal_link.make_link(base, secret, str(order["id"]), "ann@example.com", expires)
    opened = requests.get(link, allow_redirects=False, timeout=10)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/returns/{shop.key}/order")
    # An order the mirror has not seen waits for the store: a clear answer, not an error.
    unknown = portal_link.make_link(base, secret, "999999", "ann@example.com", expires)
    assert requests.get(unknown, allow_redirects=False, timeout=10).status_code == 404


def test_the_admin_shows_a_reconnect_banner(reshelf, refused):
    owner = Merchant(reshelf)
    assert owner.sign_in("owner@example.com").status_code == 302
    desk = owner.get(f"{reshelf}/admin/", timeout=5).text
    assert 'id="reconnect-banner"' in desk
    assert "/admin/settings/woocommerce" in desk.split('id="reconnect-banner"')[1]
    agent = Merchant(reshelf)
    assert agent.sign_in("agent@example.com").status_code == 302
    assert "Ask the shop's owner to reconnect it." in agent.get(f"{reshelf}/admin/", timeout=5).text


def test_reconnecting_names_the_replaced_key_and_resumes_the_waiting_work(
    db, engine, reshelf, woo, woo_keys, refused
):
    shop, variant = refused["shop"], refused["variant"]
    # Work made while the key is refused waits: its job leaves the store alone.
    waiting = add_movement(db, shop, variant, quantity=2)
    with use_context(WorkerContext(engine=engine)):
        jobs.apply_movement_job(waiting.id)
    db.expire_all()
    assert db.get(StockMovement, waiting.id).state == LedgerState.PENDING
    assert ("movement", waiting.id) not in sweeper.pending_work(db)

    owner = Merchant(reshelf)
    assert owner.sign_in("owner@example.com").status_code == 302
    settings = owner.connect(woo[1])
    assert settings.url == f"{reshelf}/admin/settings/woocommerce"
    assert 'id="reconnect-banner"' not in settings.text
    assert f"Revoke the one it replaced, …{woo_keys[0][-7:]}" in settings.text
    db.expire_all()
    shop = db.get(Shop, shop.id)
    assert shop.status == ShopStatus.ACTIVE
    assert shop.credential("consumer_key") != woo_keys[0]

    # The sweeper finds the waiting restock again; its job now reaches the store.
    assert ("movement", waiting.id) in sweeper.pending_work(db)
    with use_context(WorkerContext(engine=engine)):
        jobs.apply_movement_job(waiting.id)
    db.expire_all()
    assert db.get(StockMovement, waiting.id).state == LedgerState.APPLIED
    product = woo[0].store.products[int(variant.platform_id)]
    assert product["stock_quantity"] == 5 - 2 + 2  # seeded 5, the order took 2, 2 came back


def test_the_restock_that_met_the_refusal_resumes_after_the_reconnect(
    db, engine, redis_conn, run_jobs, reshelf, woo, woo_keys, woo_shop, seed, clock
):
    """On RQ: the job that got the 401 is not left in the failed registry for a person."""
    seed(sku="TEE", stock=5, quantity=2)
    install.backfill(db, woo_shop, clock)
    add_user(db, "owner@example.com", PASSWORD, woo_shop, Role.OWNER)
    variant = db.scalars(select(Variant).where(Variant.shop_id == woo_shop.id)).one()
    movement = add_movement(db, woo_shop, variant, quantity=2)
    store = woo[0].store
    store.delete_key(store.api_keys[api_hash(woo_keys[0])].key_id)
    with use_context(WorkerContext(engine=engine)):
        RQDispatcher(engine=engine, connection=redis_conn).dispatch("movement", movement.id)
        run_jobs()
        db.expire_all()
        assert db.get(Shop, woo_shop.id).status == ShopStatus.NEEDS_RECONNECT
        assert db.get(StockMovement, movement.id).state == LedgerState.PENDING
        assert sweep(redis_conn) == 0  # nothing calls the store while the key is refused

        owner = Merchant(reshelf)
        assert owner.sign_in("owner@example.com").status_code == 302
        assert owner.connect(woo[1]).url.endswith("/admin/settings/woocommerce")
        assert sweep(redis_conn) == 1
        run_jobs()
    db.expire_all()
    assert db.get(StockMovement, movement.id).state == LedgerState.APPLIED
    assert store.products[int(variant.platform_id)]["stock_quantity"] == 5
    assert admin_data.failed_jobs_of_shop(db, movement.shop_id, redis_conn) == []
