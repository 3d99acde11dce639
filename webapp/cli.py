"""The ``reshelf`` command: serve, run the worker, migrate, seed a demo, manage shops and users."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from connectors import CONNECTORS
from core.config import get_settings
from core.db import engine_for, session_scope
from core.enums import Role
from core.models import Shop
from webapp.optional import optional_attr


@click.group("reshelf", context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Reshelf: returns for Shopify and WooCommerce stores.

    Configuration comes from environment variables (DATABASE_URL, REDIS_URL, SECRET_KEY,
    RESHELF_ENCRYPTION_KEY, RESHELF_PUBLIC_URL, RESHELF_INSTANCE_PATH). With none set,
    the database is an SQLite file in ./instance and jobs run inside `reshelf serve`.
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


@contextmanager
def database() -> Iterator[Session]:
    """A session on the configured database, with a hint when the schema is missing."""
    try:
        with session_scope(engine_for(get_settings().database_url)) as session:
            yield session
    except (OperationalError, ProgrammingError) as exc:
        raise click.ClickException(
            f"{exc.orig or exc}\nIs the database migrated? Run `reshelf db upgrade`."
        ) from exc


# gunicorn's threaded workers: an acknowledgement is answered by a free thread while slow
# pages hold others; two sync workers queued 135 retried deliveries past Shopify's 5 s
# after a restart (docs/performance.md has the measurement).
WORKER_CLASS = "gthread"


def gunicorn_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    """The gunicorn command line ``reshelf serve`` runs with Redis."""
    serving = ["--bind", f"{host}:{port}", "--workers", str(workers)]
    serving += ["--worker-class", WORKER_CLASS, "--threads", str(threads)]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        *serving,
        "--access-logfile",
        "-",
        "webapp:create_app()",
    ]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, help="Gunicorn processes (with Redis).")
@click.option("--threads", default=8, show_default=True, help="Request threads per process.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the portal, the admin, webhooks and /healthz.

    With REDIS_URL set this runs gunicorn (threaded workers: WORKERS processes of THREADS
    threads, so webhook acknowledgements never wait behind slow pages) and jobs go to
    `reshelf worker` processes. Without it, the development server runs with the embedded
    worker in a thread, so nothing but Python is needed.
    """
    if get_settings().redis_url:
        argv = gunicorn_argv(host, port, workers, threads)
        os.execv(argv[0], argv)
    from webapp import create_app

    app = create_app()
    start_embedded_worker = optional_attr("worker.runner", "start_embedded_worker")
    if start_embedded_worker is None:
        click.echo("The worker is not installed yet; jobs wait in the database.", err=True)
        app.run(host=host, port=port, threaded=True, use_reloader=False)
        return
    embedded = start_embedded_worker()
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        embedded.stop()


@main.command()
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
    from webapp.demo_run import DemoPorts, run_demo

    public_port = urlparse(get_settings().public_url).port or 5000
    ports = DemoPorts(host, port or public_port, shopify_port, woocommerce_port)
    with database() as session:
        session.scalars(select(Shop.id).limit(1)).all()  # the schema is there
    run_demo(ports, lambda line: click.echo(line))


@main.group("db")
def db_group() -> None:
    """Create or change the database schema (Alembic migrations shipped with Reshelf)."""


@db_group.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    from core.db.migrate import upgrade as migrate_up

    migrate_up(get_settings().database_url, revision)
    click.echo(f"Database at {revision}.")


@db_group.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (`-1` for one step, `base` for empty)."""
    from core.db.migrate import downgrade as migrate_down

    migrate_down(get_settings().database_url, revision)
    click.echo(f"Database at {revision}.")


@main.group()
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


@main.group()
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
    from webapp.users import deactivate

    with database() as session:
        if not deactivate(session, email):
            raise click.ClickException(f"no user {email}")
    click.echo(f"{email} can no longer sign in.")


def _mount_parts() -> None:
    """Add the commands other parts provide, where they are installed."""
    worker_command = optional_attr("worker.cli", "worker_command")
    main.add_command(worker_command or worker_missing, name="worker")


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def worker_missing(args: tuple[str, ...]) -> None:
    """Run background jobs (not installed yet: jobs wait in the database meanwhile)."""
    raise click.ClickException("the worker is not installed in this copy of Reshelf")


_mount_parts()

if __name__ == "__main__":
    main()
