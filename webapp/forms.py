"""Reading form fields into domain values, with messages fit to show.

The forms are plain HTML; Flask-WTF's CSRFProtect guards every POST, so no form
classes are needed for fields this simple.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def whole_number(value: str | None, label: str) -> int:
    """A whole number of zero or more, or ``ValueError`` naming the field."""
    text = (value or "").strip() or "0"
    if not text.isdigit():
        raise ValueError(f"The {label} must be a whole number, not “{value}”.")
    return int(text)


def choice(value: str | None, options: type[E], label: str) -> E:
    """One of the enum's values, or ``ValueError`` naming the field."""
    try:
        return options(value or "")
    except ValueError:
        raise ValueError(f"Choose a {label}.") from None
