"""The ``reshelf`` command, through click's CliRunner on the test database."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select

from cli.main import main
from core.config import get_settings
from core.db import make_engine
from core.enums import Role
from core.models import Shop
from webapp.users import authenticate

COMMANDS = [
    [],
    ["serve"],
    ["worker"],
    ["demo"],
    ["db"],
    ["db", "upgrade"],
    ["db", "downgrade"],
    ["shop"],
    ["shop", "add"],
    ["shop", "list"],
    ["shop", "remove"],
    ["user"],
    ["user", "add"],
]


def _command(path: list[str]) -> click.Command:
    """The click command at ``path`` under ``reshelf``."""
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"no command {name}"
        command = found
    return command


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "reshelf")
def test_every_command_explains_itself(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: reshelf {' '.join(path)}".rstrip() in result.output
    summary = _command(path).get_short_help_str(limit=200).rstrip(".")
    assert summary
    assert " ".join(summary.split()[:4]) in " ".join(result.output.split())


def test_shop_list_shows_connected_shops(db, factory):
    shop = factory.shop(domain="listed.myshopify.com")
    db.commit()
    result = CliRunner().invoke(main, ["shop", "list"])
    assert result.exit_code == 0, result.output
    assert f"listed.myshopify.com\tshopify\tactive\t{shop.key}" in result.output


def test_shop_list_says_when_there_are_none(db):
    result = CliRunner().invoke(main, ["shop", "list"])
    assert "No shops yet" in result.output


def test_shop_remove_asks_first(db, factory):
    factory.shop(domain="gone.myshopify.com")
    db.commit()
    kept = CliRunner().invoke(main, ["shop", "remove", "gone.myshopify.com"], input="n\n")
    assert kept.exit_code == 1
    assert db.scalars(select(Shop.domain)).all() == ["gone.myshopify.com"]
    removed = CliRunner().invoke(main, ["shop", "remove", "gone.myshopify.com", "--yes"])
    assert removed.exit_code == 0, removed.output
    db.expire_all()
    assert db.scalars(select(Shop)).all() == []


def test_user_add_asks_for_the_password_and_grants_the_role(db, factory):
    shop = factory.shop(domain="team.myshopify.com")
    db.commit()
    args = ["user", "add", "Ann@Example.com", "--shop", "team.myshopify.com", "--role", "agent"]
    result = CliRunner().invoke(main, args, input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    staff = authenticate(db, "ann@example.com", "s3cret-pass")
    assert staff is not None
    assert staff.roles == {shop.id: Role.AGENT}
    assert authenticate(db, "ann@example.com", "wrong") is None


def test_user_add_refuses_an_unknown_shop(db):
    args = ["user", "add", "ann@example.com", "--shop", "nowhere.example", "--password", "x"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "no shop nowhere.example" in result.output


@pytest.fixture
def fresh_database(tmp_path, monkeypatch):
    """Point the settings at an empty SQLite file for one test."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_db_upgrade_and_downgrade_a_fresh_database(fresh_database):
    upgraded = CliRunner().invoke(main, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    engine = make_engine(fresh_database)
    try:
        assert {"shops", "return_requests", "users"} <= set(inspect(engine).get_table_names())
        downgraded = CliRunner().invoke(main, ["db", "downgrade", "base"])
        assert downgraded.exit_code == 0, downgraded.output
        assert "shops" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_the_worker_command_loads_no_web_app_and_no_emulator():
    # `reshelf worker` is the worker process: it must not carry Flask, the web app's
    # blueprints or the demo's emulators (issue 13: no worker process imports a blueprint).
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from cli.main import main\n"
        "assert CliRunner().invoke(main, ['worker', '--help']).exit_code == 0\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))\n"
    )
    heavy = ["flask", "webapp", "demo", "sandbox", "graphql"]
    done = subprocess.run(
        [sys.executable, "-c", script, *heavy], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
