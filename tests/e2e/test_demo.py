"""``make run``'s demo, started as ``make run`` starts it, from an empty instance folder.

``reshelf db upgrade`` then ``reshelf demo``: the three printed URLs answer (the admin's
sign-in, the portal, a storefront whose "Return an item" lands on the order in the portal),
a new order on the Shopify emulator reaches Reshelf by webhook, SIGTERM stops everything
with no child process left, and a second start reuses the instance.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from sqlalchemy import text

from core.db import make_engine

BIN = Path(sys.executable).parent
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
BUTTON = re.compile(r'<a class="button" href="([^"]+)">Return an item</a>')
SHOPIFY_STOREFRONT = re.compile(r"Shopify: storefront (\S+)")


def _free_ports(count: int) -> list[int]:
    """Ports nothing listens on right now."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def _reshelf() -> list[str]:
    script = BIN / "reshelf"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


def _children(pid: int) -> list[str]:
    """The processes any thread of ``pid`` started (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.extend((task / "children").read_text().split())
        except FileNotFoundError:
            continue  # the thread ended after the listing; it has no children left
    return found


class RunningDemo:
    """``reshelf demo`` in a subprocess, its output read line by line."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        with open(cwd / "demo.log", "ab") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=log, text=True
            )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float = 45) -> str:
        """The first output line starting with ``prefix``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.process.poll() is None, "\n".join(self.seen)
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} line:\n" + "\n".join(self.seen))

    def stop(self) -> int:
        """SIGTERM, as Ctrl-C or a supervisor would; the exit status (45 s only catches a hang)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            self.reader.join(5)
            assert self.process.stdout is not None
            self.process.stdout.close()


@pytest.fixture
def empty_database(redis_conn):
    """None (SQLite in the instance folder), or an empty PostgreSQL schema of its own."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield None
        return
    schema = f"reshelf_demo_{os.getpid()}"
    # The suite's URL names its private schema in libpq options; the demo gets another.
    demo_url = re.sub(r"search_path%3D\w+", f"search_path%3D{schema}", url)
    admin = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield demo_url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def demo_env(tmp_path, empty_database):
    """An empty instance folder and free ports; the queues are Redis's when REDIS_URL is set."""
    reshelf, shopify, woo = _free_ports(3)
    drop = ("DATABASE_URL", "SECRET_KEY", "RESHELF_ENCRYPTION_KEY", "RESHELF_SHOPIFY_API_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if empty_database:
        env["DATABASE_URL"] = empty_database
    env["RESHELF_INSTANCE_PATH"] = str(tmp_path / "instance")
    env["RESHELF_PUBLIC_URL"] = f"http://127.0.0.1:{reshelf}"
    ports = ["--shopify-port", str(shopify), "--woocommerce-port", str(woo)]
    return env, [*_reshelf(), "demo", *ports], [reshelf, shopify, woo]


def _start(env: dict[str, str], command: list[str], cwd: Path) -> tuple[RunningDemo, list[str]]:
    """``make run``: migrate, then the demo; the lines up to and including Storefront."""
    subprocess.run([*_reshelf(), "db", "upgrade"], env=env, cwd=cwd, check=True)
    demo = RunningDemo(command, env, cwd)
    demo.wait_for("Storefront: ")
    return demo, demo.seen[-3:]


def _follow_return_button(storefront: str) -> requests.Response:
    """Open the storefront and press the first "Return an item"."""
    browser = requests.Session()
    page = browser.get(storefront, timeout=10)
    assert page.status_code == 200
    button = BUTTON.search(page.text)
    assert button, page.text
    return browser.get(urljoin(storefront, unescape(button.group(1))), timeout=10)


def _look_up(browser: requests.Session, lookup: requests.Response, number: str, email: str):
    token = TOKEN.search(lookup.text)
    assert token, lookup.text
    form = {"number": number, "email": email, "csrf_token": token.group(1)}
    return browser.post(lookup.url, data=form, timeout=10)


def _new_shopify_order(storefront: str) -> str:
    """Place an order for the demo shopper on the Shopify emulator; its number."""
    base = storefront.split("/storefront/")[0]
    headers = {
        "X-Shopify-Access-Token": "shpat_demo",
        "X-Forwarded-Host": "reshelf-demo.myshopify.com",
    }
    query = "{ productVariants(first: 1) { nodes { id } } customers(first: 1) { nodes { id } } }"
    data = requests.post(
        f"{base}/admin/api/2026-04/graphql.json", json={"query": query}, headers=headers, timeout=10
    ).json()["data"]
    variant = data["productVariants"]["nodes"][0]["id"]
    customer = data["customers"]["nodes"][0]["id"]
    body = {"customer_id": customer, "lines": [{"variant_id": variant, "quantity": 1}]}
    placed = requests.post(f"{base}/_sandbox/shops/reshelf-demo/orders", json=body, timeout=10)
    return str(placed.json()["name"]).lstrip("#")


def _check_urls(demo: RunningDemo, urls: dict[str, str]) -> None:
    admin = requests.get(urls["Admin"], timeout=10)
    assert admin.status_code == 200
    assert "/login" in admin.url
    assert 'type="password"' in admin.text
    assert requests.get(urls["Portal"], timeout=10).status_code == 200
    landed = _follow_return_button(urls["Storefront"])
    assert landed.status_code == 200
    assert landed.url.endswith("/order"), landed.url
    assert landed.url.startswith(urls["Portal"]), landed.url
    # Shopify: the button goes through the app proxy to the shop's portal with the order.
    shopify = SHOPIFY_STOREFRONT.match(demo.wait_for("Shopify:"))
    assert shopify, demo.seen
    browser = requests.Session()
    lookup = browser.get(_follow_return_button(shopify.group(1)).url, timeout=10)
    asked = parse_qs(urlparse(lookup.url).query)
    assert asked["signature"]
    assert asked["shop"] == ["reshelf-demo.myshopify.com"]
    order = _look_up(browser, lookup, asked["order"][0], asked["email"][0])
    assert order.url.endswith("/order"), order.text
    # A new order on the store reaches Reshelf through its webhook and the worker.
    number = _new_shopify_order(shopify.group(1))
    deadline = time.monotonic() + 30
    while not _look_up(browser, lookup, number, asked["email"][0]).url.endswith("/order"):
        assert time.monotonic() < deadline, f"order {number} never reached Reshelf"
        time.sleep(0.3)


@pytest.mark.slow
def test_make_run_demo_starts_serves_stops_and_restarts(demo_env, tmp_path):
    env, command, ports = demo_env
    runs = []
    for _ in range(2):
        demo, lines = _start(env, command, tmp_path)
        try:
            urls = dict(line.split(": ", 1) for line in lines)
            assert list(urls) == ["Admin", "Portal", "Storefront"]
            _check_urls(demo, urls)
            runs.append((lines, next(s for s in demo.seen if s.startswith("Sign in as"))))
            assert _children(demo.process.pid) == []  # everything runs in the one process
        finally:
            status = demo.stop()
        assert status == 0, "\n".join(demo.seen)
        for port in ports:  # Reshelf and both stores stopped listening
            with socket.socket() as probe:
                assert probe.connect_ex(("127.0.0.1", port)) != 0
    assert runs[0] == runs[1]  # same URLs (shop keys) and admin password
    listed = subprocess.run(
        [*_reshelf(), "shop", "list"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert len(listed.stdout.splitlines()) == 2, listed.stdout  # re-created, not doubled
