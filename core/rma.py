"""RMA numbers: short, unique per shop, easy to read aloud over the phone.

Six characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V),
grouped 3-3: ``K7M-4TX``. 21^6 ≈ 86 million per shop; a clash is retried.
"""

from __future__ import annotations

import secrets

ALPHABET = "ACDEFHJKMNPRTWXY34679"


def new_rma() -> str:
    """A fresh random RMA number (the caller checks it is free in the shop)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"
