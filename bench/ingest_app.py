"""The WSGI app the ingest benchmark serves: Reshelf plus a bare endpoint to compare with."""

from __future__ import annotations

from webapp import create_app
from webapp.extensions import csrf

app = create_app()


def bare() -> tuple[str, int]:
    """Answer 200 and do nothing: the server's own cost, the benchmark's baseline."""
    return "", 200


app.add_url_rule("/bench/bare", view_func=bare, methods=["POST"])
csrf.exempt(bare)
