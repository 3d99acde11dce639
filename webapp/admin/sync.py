"""The sync log: the shop's recent webhook deliveries, and why a failed one failed."""

from __future__ import annotations

from flask import render_template, request

from core.enums import InboxStatus, Role
from core.queries import SYNC_LOG_SIZE, recent_deliveries
from webapp.admin.common import bp
from webapp.auth import current_shop_id, requires_role
from webapp.db import get_session


@bp.get("/sync")
@requires_role(Role.OWNER)
def sync_log() -> str:
    """The newest deliveries of the current shop, optionally of one status; read-only."""
    wanted = request.args.get("status", "")
    status = InboxStatus(wanted) if wanted in set(InboxStatus) else None
    deliveries = recent_deliveries(get_session(), current_shop_id(), status)
    return render_template(
        "admin/sync.html",
        deliveries=deliveries,
        statuses=list(InboxStatus),
        status=status or "",
        size=SYNC_LOG_SIZE,
    )
