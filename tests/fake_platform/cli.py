"""``reshelf shop add fakeshop``: connect a fake store by its domain and webhook secret."""

from __future__ import annotations

import click

from core.config import get_settings
from core.db import engine_for, session_scope
from core.models import Shop
from tests.fake_platform.webhooks import PLATFORM


@click.command(PLATFORM)
@click.option("--domain", required=True)
@click.option("--secret", required=True, help="Signs the store's webhooks.")
def add_fakeshop(domain: str, secret: str) -> None:
    """Connect a fake store."""
    with session_scope(engine_for(get_settings().database_url)) as session:
        shop = Shop(platform=PLATFORM, domain=domain, name=domain)
        shop.set_credentials(webhook_secret=secret)
        session.add(shop)
        session.commit()
        click.echo(f"Connected {domain} (shop key {shop.key}).")
