"""WordPress's personal data erasure, forwarded by the Reshelf Returns plugin.

The plugin's eraser (manifests/woocommerce/reshelf-returns/includes/
class-reshelf-returns-privacy.php) fires ``wc_reshelf_erase_personal_data`` with
``{"request", "email", "customer_id", "order_ids"}``; Reshelf's webhook on that action
delivers it signed with the webhook secret, and this scrubs the shopper the way Shopify's
``customers/redact`` does (``core.services.redaction``).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from core.models import InboxDelivery, Shop
from core.services.mentions import Person
from core.services.redaction import redact_person


def erase_personal_data(session: Session, shop: Shop, delivery: InboxDelivery) -> dict[str, int]:
    """Forget the person the erasure request names, and the request's own body."""
    request: dict[str, Any] = json.loads(delivery.body or b"{}").get("arg") or {}
    email = str(request.get("email") or "")
    customer_id = request.get("customer_id")
    person = Person(
        emails={email},
        # A guest's mirror row is keyed by their email (connectors/woocommerce/mapping.py).
        customer_ids={str(customer_id or ""), f"guest:{email.lower()}" if email else ""},
        order_ids={str(i) for i in request.get("order_ids") or []},
    )
    return redact_person(session, shop.id, person, delivery.received_at, asked_by=delivery.id)
