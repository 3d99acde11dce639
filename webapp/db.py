"""One SQLAlchemy session per request, kept on ``g`` and closed on teardown.

This is the Flask tutorial's ``get_db`` shape: the session lives exactly as long as the
app context, so nothing (no open transaction, no connection) outlives a request.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

from core.db import engine_for, session_factory
from core.inbox import Inbox, acknowledging_engine


def init_db(app: Flask) -> None:
    """Bind the engine and a session factory to ``app``; close the session after each context."""
    # Done on first use otherwise: about a second of CPU inside some request of each process.
    configure_mappers()
    engine: Engine = app.config.get("DATABASE_ENGINE") or engine_for(app.config["DATABASE_URL"])
    app.extensions["reshelf.engine"] = engine
    app.extensions["reshelf.sessions"] = session_factory(engine)
    app.extensions["reshelf.inbox"] = Inbox(acknowledging_engine(engine))
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """The current request's session, opened on first use."""
    if "db_session" not in g:
        factory: sessionmaker[Session] = current_app.extensions["reshelf.sessions"]
        g.db_session = factory()
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session; anything not committed is rolled back."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def get_inbox() -> Inbox:
    """Where this app stores webhook deliveries (see ``core.inbox``)."""
    inbox: Inbox = current_app.extensions["reshelf.inbox"]
    return inbox


def get_engine() -> Engine:
    """The engine the app talks to (health checks)."""
    engine: Engine = current_app.extensions["reshelf.engine"]
    return engine
