"""Import parts that other pieces of Reshelf provide, tolerating only their absence.

The platform blueprints, the worker and the connectors' CLI commands are written in
parallel with the web app. Until they land, the app and the ``reshelf`` command work
without them; once a module exists, any error inside it is raised, never hidden.
"""

from __future__ import annotations

import importlib
from typing import Any


def optional_attr(module: str, name: str) -> Any | None:
    """``module.name``, or None if ``module`` (or a package above it) does not exist."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module == missing or module.startswith(missing + "."):
            return None
        raise
    return getattr(loaded, name)
