"""``reshelf``: the root command group, and the groups and commands it gathers."""

from __future__ import annotations

import logging

import click

from cli.db import db_group
from cli.demo import demo
from cli.serve import serve
from cli.shops import shop
from cli.users import user
from worker.cli import worker_command


@click.group("reshelf", context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Reshelf: returns for Shopify and WooCommerce stores.

    Configuration comes from environment variables (DATABASE_URL, REDIS_URL, SECRET_KEY,
    RESHELF_ENCRYPTION_KEY, RESHELF_PUBLIC_URL, RESHELF_INSTANCE_PATH). With none set,
    the database is an SQLite file in ./instance and jobs run inside `reshelf serve`.
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


for command in (serve, worker_command, demo, db_group, shop, user):
    main.add_command(command)
