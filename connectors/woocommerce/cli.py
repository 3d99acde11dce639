"""``reshelf shop add woocommerce`` (keys made by hand), ``reshelf shop disconnect woocommerce``."""

from __future__ import annotations

import click
from sqlalchemy import select

from connectors.woocommerce import install
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.connect import normalise_store_url
from core.clock import SystemClock
from core.config import get_settings
from core.db import engine_for, session_scope
from core.enums import Platform, ShopStatus
from core.errors import DomainError, StoreError
from core.models import Shop


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


@click.command("woocommerce")
@click.option("--url", required=True, help="The store's address, e.g. https://shop.example.")
@click.option(
    "--delete-data/--keep-data",
    required=True,
    help="Delete everything Reshelf holds for the store, or keep it read-only.",
)
def disconnect_woocommerce(url: str, delete_data: bool) -> None:
    """Disconnect a WooCommerce store: delete Reshelf's webhooks on it, forget its key.

    WooCommerce has no API to delete a key, so this names the one to revoke on the store
    (WooCommerce › Settings › Advanced › REST API). The shop is marked uninstalled.
    """
    settings = get_settings()
    try:
        domain = normalise_store_url(url)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    with session_scope(engine_for(settings.database_url)) as session:
        shop = session.scalars(
            select(Shop).where(Shop.platform == Platform.WOOCOMMERCE, Shop.domain == domain)
        ).one_or_none()
        if shop is None or shop.status == ShopStatus.UNINSTALLED:
            raise click.ClickException(f"{domain} is not a connected WooCommerce store")
        done = install.disconnect(
            session, shop, settings.public_url, SystemClock(), delete_data=delete_data
        )
    if done.webhooks_removed is None:
        click.echo(
            f"The store refused Reshelf ({done.store_problem}): delete the webhooks named "
            f"Reshelf in {install.WEBHOOKS_PAGE} yourself."
        )
    else:
        click.echo(f"Deleted {done.webhooks_removed} webhooks on {done.domain}.")
    click.echo(f"Revoke the key {done.key_to_revoke} in {install.KEYS_PAGE} on the store.")
    if done.key_page:
        click.echo(f"  Its page: {done.key_page}")
    kept = "deleted" if done.data_deleted else "kept, read-only"
    click.echo(f"{done.domain} is disconnected; its data in Reshelf is {kept}.")
