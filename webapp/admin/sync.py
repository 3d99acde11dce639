"""The sync log: the shop's recent webhook deliveries and why a failed one failed; its
failed jobs with the store's words, and a replay once the cause is fixed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core.enums import InboxStatus, Role
from core.queries import SYNC_LOG_SIZE, recent_deliveries
from webapp.admin.common import bp
from webapp.auth import current_shop_id, requires_role
from webapp.db import get_session
from worker.admin_data import failed_jobs_of_shop, paced_jobs, replay_for_shop


@bp.get("/sync")
@requires_role(Role.OWNER)
def sync_log() -> str:
    """The newest deliveries of the current shop, optionally of one status, and its
    failed and paced jobs."""
    wanted = request.args.get("status", "")
    status = InboxStatus(wanted) if wanted in set(InboxStatus) else None
    session, shop_id = get_session(), current_shop_id()
    return render_template(
        "admin/sync.html",
        deliveries=recent_deliveries(session, shop_id, status),
        statuses=list(InboxStatus),
        status=status or "",
        size=SYNC_LOG_SIZE,
        failed_jobs=failed_jobs_of_shop(session, shop_id),
        paced=paced_jobs(shop_id),
    )


@bp.post("/sync/jobs/<job_id>/replay")
@requires_role(Role.OWNER)
def replay_job(job_id: str) -> Response:
    """Queue a failed job of the current shop again, with its retries restored."""
    if not replay_for_shop(get_session(), current_shop_id(), job_id):
        abort(404)
    flash(f"{job_id} is queued again.", "success")
    return redirect(url_for("admin.sync_log"))
