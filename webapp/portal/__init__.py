"""The shopper's portal: find an order, choose what comes back, see the return's number.

One blueprint, ``portal`` under ``/returns``; its views live in ``lookup`` (the shop's
front door and the order lookup), ``order`` (the order page and the request) and
``confirmation`` (the RMA page). Each parses its form, calls one core use case, renders.
"""

from webapp.portal import confirmation, lookup, order
from webapp.portal.common import admit_shopper, bp

__all__ = ["admit_shopper", "bp", "confirmation", "lookup", "order"]
