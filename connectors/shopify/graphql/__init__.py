"""Every GraphQL document the connector sends, one ``.graphql`` file each."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def document(name: str) -> str:
    """The text of ``graphql/<name>.graphql``."""
    return files(__package__).joinpath(f"{name}.graphql").read_text()


def names() -> list[str]:
    """The names of every document shipped."""
    return sorted(
        p.name.removesuffix(".graphql")
        for p in files(__package__).iterdir()
        if p.name.endswith(".graphql")
    )
