"""``reshelf shop add shopify``: connect a shop through a custom app made in its admin."""

from __future__ import annotations

import os

import click

from connectors.shopify.client import routed_client
from connectors.shopify.install import add_custom_app
from core.clock import SystemClock
from core.config import get_settings
from core.db import engine_for, session_scope
from core.errors import StoreError
from core.services import ensure_default_policy


@click.command("shopify")
@click.option("--domain", required=True, help="The shop's permanent domain, SHOP.myshopify.com.")
@click.option("--access-token", required=True, help="The custom app's Admin API access token.")
@click.option(
    "--api-secret", required=True, help="The custom app's API secret key (verifies its webhooks)."
)
def add_shopify(domain: str, access_token: str, api_secret: str) -> None:
    """Connect a Shopify shop through a custom app; its secret verifies the shop's webhooks."""
    if not domain.endswith(".myshopify.com"):
        raise click.BadParameter(
            "use the permanent SHOP.myshopify.com domain", param_hint="--domain"
        )
    clock = SystemClock()
    with session_scope(engine_for(get_settings().database_url)) as session:
        try:
            shop = add_custom_app(
                session, domain, access_token, api_secret, clock, routed_client(os.environ)
            )
        except StoreError as exc:
            raise click.ClickException(f"Shopify refused the token: {exc}") from exc
        session.commit()
        ensure_default_policy(session, shop.id, clock)
        session.commit()
        click.echo(f"Connected {shop.domain} ({shop.name}, {shop.currency}).")
