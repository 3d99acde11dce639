"""``reshelf user``: who can sign in to the admin."""

from __future__ import annotations

import click
from sqlalchemy import select

from cli.database import database
from core.enums import Role
from core.models import Shop


@click.group()
def user() -> None:
    """Manage who can sign in to the admin."""


@user.command("add")
@click.argument("email")
@click.option("--shop", "domain", required=True, help="Domain of the shop the role is for.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.OWNER.value,
    show_default=True,
    help="owner: everything; agent: approves and rejects; warehouse: receives and grades.",
)
@click.password_option(help="Asked for when not given.")
def user_add(email: str, domain: str, role: str, password: str) -> None:
    """Create the admin user EMAIL (or reset their password) with a role in a shop.

    A new password signs the user out of every session they had.
    """
    # Here, not at the top: importing the webapp package loads Flask, which only the
    # commands that serve pages need (`reshelf worker` runs without it).
    from webapp.users import add_user

    with database() as session:
        found = session.scalars(select(Shop).where(Shop.domain == domain)).one_or_none()
        if found is None:
            raise click.ClickException(f"no shop {domain}; see `reshelf shop list`")
        add_user(session, email, password, found, Role(role))
    click.echo(f"{email} is {role} of {domain}.")


@user.command("deactivate")
@click.argument("email")
def user_deactivate(email: str) -> None:
    """Stop EMAIL from signing in; their open sessions end at once."""
    from webapp.users import deactivate  # not at the top: see user_add

    with database() as session:
        if not deactivate(session, email):
            raise click.ClickException(f"no user {email}")
    click.echo(f"{email} can no longer sign in.")
