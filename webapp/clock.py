"""The clock the web app hands to core services (tests freeze it through ``CLOCK``)."""

from __future__ import annotations

from flask import Flask, current_app

from core.clock import Clock, SystemClock


def init_clock(app: Flask) -> None:
    """Use the configured ``CLOCK`` if any, else the wall clock."""
    app.extensions["reshelf.clock"] = app.config.get("CLOCK") or SystemClock()


def get_clock() -> Clock:
    """The current app's clock."""
    clock: Clock = current_app.extensions["reshelf.clock"]
    return clock
