"""Publishing policies and finding the one in force."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import Clock, SystemClock
from core.enums import PolicyVersionStatus
from core.models import Policy, PolicyVersion, Rule
from core.policy import CompiledPolicy, compile_policy
from core.policy.defaults import DEFAULT_POLICY_NAME, DEFAULT_RULES


def compiled(version: PolicyVersion) -> CompiledPolicy:
    """The engine's form of a stored version."""
    rules = [{"name": r.name, "when": r.conditions, "then": r.outcome} for r in version.rules]
    return compile_policy(rules, version_id=version.id)


def create_draft(
    session: Session, shop_id: int, rules: list[dict[str, Any]], name: str = DEFAULT_POLICY_NAME
) -> PolicyVersion:
    """A new draft version of the named policy (created if missing); rules are validated."""
    compile_policy(rules)  # refuse a malformed rule before anything is stored
    policy = session.scalars(
        select(Policy).where(Policy.shop_id == shop_id, Policy.name == name)
    ).one_or_none()
    if policy is None:
        policy = Policy(shop_id=shop_id, name=name)
        session.add(policy)
        session.flush()
    last = session.scalar(
        select(func.max(PolicyVersion.version)).where(PolicyVersion.policy_id == policy.id)
    )
    version = PolicyVersion(shop_id=shop_id, policy=policy, version=(last or 0) + 1)
    version.rules = [
        Rule(
            shop_id=shop_id,
            position=i,
            name=str(r.get("name") or f"Rule {i + 1}"),
            conditions=r.get("when") or {},
            outcome=r.get("then") or {},
        )
        for i, r in enumerate(rules)
    ]
    session.add(version)
    session.flush()
    return version


def publish_policy(session: Session, version: PolicyVersion, actor: str, clock: Clock) -> None:
    """Put a draft in force; the version it replaces is retired. The caller commits."""
    policy = version.policy
    if policy.published_version is not None and policy.published_version is not version:
        policy.published_version.status = PolicyVersionStatus.RETIRED
    version.status = PolicyVersionStatus.PUBLISHED
    version.published_at = clock.now()
    version.published_by = actor
    policy.published_version = version
    session.flush()


def published_policy(session: Session, shop_id: int) -> tuple[PolicyVersion, CompiledPolicy]:
    """The version in force for the shop, creating the default policy on first use."""
    version = session.scalars(
        select(PolicyVersion)
        .join(Policy, Policy.published_version_id == PolicyVersion.id)
        .where(Policy.shop_id == shop_id)
        .order_by(Policy.id)
        .limit(1)
    ).one_or_none()
    if version is None:
        version = ensure_default_policy(session, shop_id, SystemClock())
    return version, compiled(version)


def ensure_default_policy(session: Session, shop_id: int, clock: Clock) -> PolicyVersion:
    """Create and publish the default policy for a shop that has none."""
    version = create_draft(session, shop_id, DEFAULT_RULES)
    publish_policy(session, version, "system", clock)
    return version
