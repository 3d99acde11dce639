"""``reshelf shop add woocommerce``: connect a store with keys made by hand."""

from __future__ import annotations

import click

from connectors.woocommerce import install
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.connect import normalise_store_url
from core.clock import SystemClock
from core.config import get_settings
from core.db import engine_for, session_scope
from core.errors import DomainError, StoreError


@click.command("woocommerce")
@click.option("--url", required=True, help="The store's address, e.g. https://shop.example.")
@click.option("--consumer-key", required=True, help="ck_… from WooCommerce › Settings › REST API.")
@click.option("--consumer-secret", required=True, help="cs_… (a read/write key).")
@click.option(
    "--backfill/--no-backfill",
    default=True,
    show_default=True,
    help="Copy products, customers and orders now.",
)
def add_woocommerce(url: str, consumer_key: str, consumer_secret: str, backfill: bool) -> None:
    """Connect a WooCommerce store: check the keys, subscribe webhooks, backfill.

    Use this when the store cannot reach Reshelf for the wc-auth flow. The keys need
    read/write permission; they are stored encrypted.
    """
    settings, clock = get_settings(), SystemClock()
    try:
        store = normalise_store_url(url)
        install.check_keys(WooClient(store, consumer_key, consumer_secret))
        with session_scope(engine_for(settings.database_url)) as session:
            shop = install.save_shop(session, store, consumer_key, consumer_secret, clock)
            created = install.subscribe(shop, settings.public_url)
            click.echo(
                f"Connected {shop.domain} (shop key {shop.key}); {len(created)} webhooks created."
            )
            click.echo(
                f"For the Reshelf Returns plugin's settings: portal URL "
                f"{settings.public_url}/returns/{shop.key}, shared secret "
                f"{shop.credential('portal_link_secret')}"
            )
            if backfill:
                for result in install.backfill(session, shop, clock):
                    click.echo(
                        f"  {result.resource}: {result.fetched} read, {result.upserted} stored"
                    )
    except (DomainError, StoreError) as exc:
        raise click.ClickException(str(exc)) from exc
