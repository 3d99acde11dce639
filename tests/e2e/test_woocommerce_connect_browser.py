"""In a real browser: a fresh install creates its owner and connects the emulated store.

Chromium (Debian's, through Playwright) walks login → first run → the connect page →
the store's approve page → Settings › WooCommerce, on a desktop window and on a 390 px
phone, saving each page to docs/screenshots/ for the README. Skips without Playwright or
chromium.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from core.models import Shop
from sandbox.woocommerce import create_emulator
from tests.support.live import serve_wsgi
from webapp import create_app
from webapp.limits import limiter

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def stack(engine, clock, dispatcher):
    """The emulated store and a fresh Reshelf (nobody has an account), both on real HTTP."""
    store_app = create_emulator(plugin_installed=True, insecure_callbacks=True)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_ENGINE": engine,
            "CLOCK": clock,
            "DISPATCHER": dispatcher,
            "ALLOW_PRIVATE_STORES": True,  # the emulated store listens on 127.0.0.1
        }
    )
    limiter.reset()
    with serve_wsgi(store_app) as store, serve_wsgi(app) as reshelf:
        app.config["PUBLIC_URL"] = reshelf
        yield reshelf, store
    store_app.extensions["wc_emulator"].dispatcher.stop()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_fresh_install_to_a_connected_store_in_the_browser(db, stack, browser):
    reshelf, store = stack
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.goto(f"{reshelf}/admin/")  # where a newcomer starts: the sign-in page
    page.get_by_role("link", name="Set it up: create the owner account").click()
    page.wait_for_url("**/admin/setup")
    page.get_by_label("Email").fill("owner@example.com")
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    _shot(page, "woocommerce-first-run")
    page.get_by_role("button", name="Create the owner account").click()

    page.wait_for_url("**/install/woocommerce/")
    assert page.locator("#needs-https").is_visible()  # this Reshelf is on plain http
    page.get_by_label("Store address").first.fill(store)
    _shot(page, "woocommerce-connect")
    page.get_by_role("button", name="Connect WooCommerce store").click()

    page.wait_for_url(f"{store}/wc-auth/v1/authorize**")
    _shot(page, "woocommerce-approve")
    page.get_by_role("link", name="Approve").click()

    page.wait_for_url("**/admin/settings/woocommerce")
    db.expire_all()
    shop = db.scalars(select(Shop)).one()
    assert page.locator("#portal-url").inner_text() == f"{reshelf}/returns/{shop.key}"
    assert page.locator("#shared-secret").inner_text() == shop.credential("portal_link_secret")
    assert page.locator("#connection").inner_text() == "active"
    _shot(page, "woocommerce-settings")

    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    phone.add_cookies(page.context.cookies())
    on_phone = phone.new_page()
    on_phone.goto(f"{reshelf}/admin/settings/woocommerce")
    assert on_phone.locator("#shared-secret").is_visible()
    _shot(on_phone, "woocommerce-settings-phone")
    width = on_phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing wider than the phone's screen"
    phone.close()
