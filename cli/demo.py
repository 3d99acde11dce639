"""``reshelf demo``: both store emulators, Reshelf connected to them, until Ctrl-C."""

from __future__ import annotations

from urllib.parse import urlparse

import click
from sqlalchemy import select

from cli.database import database
from core.config import get_settings
from core.models import Shop


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address Reshelf listens on.")
@click.option("--port", type=int, help="Reshelf's port.  [default: RESHELF_PUBLIC_URL's, or 5000]")
@click.option("--shopify-port", default=8081, show_default=True, help="The Shopify store's port.")
@click.option("--woocommerce-port", default=8010, show_default=True, help="The WooCommerce one's.")
def demo(host: str, port: int | None, shopify_port: int, woocommerce_port: int) -> None:
    """Run the demo: two emulated stores, Reshelf connected to both, until Ctrl-C.

    One process holds it all, as threads: a Shopify and a WooCommerce emulator on
    127.0.0.1, seeded with a shopper and orders; the web app; the worker (on the Redis
    queues when REDIS_URL is set, else in-process). A demo shop is connected to each store
    (Shopify as a custom app, its calls sent to the emulator through
    RESHELF_SHOPIFY_API_URL; WooCommerce with keys made on the store), backfilled, and
    subscribed to its webhooks. Prints "Admin:", "Portal:" and "Storefront:" URLs.

    The stores live in memory and start afresh each time, so the demo shops are
    re-created from them on every run (same portal addresses and admin password);
    returns made in an earlier run go with the stores that knew them. Ctrl-C or
    SIGTERM stops everything. Run `reshelf db upgrade` first. Other `reshelf worker`
    processes on the same Redis need RESHELF_SHOPIFY_API_URL set to the Shopify
    emulator's address (http://127.0.0.1:SHOPIFY_PORT).
    """
    # Here, not at the top: only the demo loads the emulators and the web app.
    from demo.run import DemoPorts, run_demo

    public_port = urlparse(get_settings().public_url).port or 5000
    ports = DemoPorts(host, port or public_port, shopify_port, woocommerce_port)
    with database() as session:
        session.scalars(select(Shop.id).limit(1)).all()  # the schema is there
    run_demo(ports, lambda line: click.echo(line))
