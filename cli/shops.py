"""``reshelf shop``: connect and disconnect (one subcommand per registered platform), list,
remove."""

from __future__ import annotations

import click
from sqlalchemy import select

from cli.database import database
from connectors import CONNECTORS
from core.models import Shop


@click.group()
def shop() -> None:
    """Connect, disconnect, list and remove stores."""


class PlatformCommands(click.Group):
    """The commands each registered platform's connector brings (``cli_commands``).

    Looked up in ``connectors.CONNECTORS`` when the command runs, so a platform registered
    in its own folder is served without a change here.
    """

    attribute = "cli_commands"  # the connector class attribute that lists the commands

    def _commands(self) -> dict[str, click.Command]:
        found = {
            c.name: c for k in CONNECTORS.values() for c in getattr(k, self.attribute, ()) if c.name
        }
        return {**found, **self.commands}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every registered platform's command names."""
        return sorted(self._commands())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The named platform's command, if a registered platform has it."""
        return self._commands().get(cmd_name)


@shop.group("add", cls=PlatformCommands)
def shop_add() -> None:
    """Connect a store: one subcommand per registered platform (shopify, woocommerce)."""


class DisconnectCommands(PlatformCommands):
    """The disconnect command of each platform that has one (``disconnect_commands``)."""

    attribute = "disconnect_commands"


@shop.group("disconnect", cls=DisconnectCommands)
def shop_disconnect() -> None:
    """Disconnect a store: delete Reshelf's webhooks on it and forget its key."""


@shop.command("list")
def shop_list() -> None:
    """List connected shops with their platform, status and public key."""
    with database() as session:
        shops = session.scalars(select(Shop).order_by(Shop.platform, Shop.domain)).all()
        for row in shops:
            click.echo(f"{row.domain}\t{row.platform}\t{row.status.value}\t{row.key}")
    if not shops:
        click.echo("No shops yet. Connect one with `reshelf shop add`.")


@shop.command("remove")
@click.argument("domain")
@click.confirmation_option(prompt="Remove this shop and everything Reshelf holds for it?")
def shop_remove(domain: str) -> None:
    """Remove the shop DOMAIN and all its data from Reshelf (the store is not touched)."""
    with database() as session:
        found = session.scalars(select(Shop).where(Shop.domain == domain)).all()
        if len(found) != 1:
            raise click.ClickException(f"{len(found)} shops have the domain {domain}")
        session.delete(found[0])
        session.commit()
    click.echo(f"Removed {domain}.")
