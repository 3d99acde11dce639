"""Admin users: passwords, roles per shop, and who is signed in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from core.enums import Role
from core.models import Membership, Shop, User

# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass(frozen=True)
class Staff:
    """The signed-in user as Flask-Login sees it: an id, an email, a role and name per shop."""

    id: int
    email: str
    roles: dict[int, Role]
    shop_names: dict[int, str]

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session cookie."""
        return str(self.id)


def load_staff(session: Session, user_id: int) -> Staff | None:
    """The active user with this id, with their roles, or None."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    names = {m.shop_id: m.shop.name or m.shop.domain for m in user.memberships}
    return Staff(user.id, user.email, {m.shop_id: m.role for m in user.memberships}, names)


def authenticate(session: Session, email: str, password: str) -> Staff | None:
    """The user whose email and password these are, or None (same cost either way)."""
    user = session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).one_or_none()
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    if not check_password_hash(stored, password) or user is None or not user.password_hash:
        return None
    return load_staff(session, user.id)


def add_user(session: Session, email: str, password: str, shop: Shop, role: Role) -> User:
    """Create the user (or reset their password) and give them ``role`` in ``shop``; commits."""
    email = email.strip().lower()
    user = session.scalars(select(User).where(User.email == email)).one_or_none()
    if user is None:
        user = User(email=email)
        session.add(user)
    user.password_hash = generate_password_hash(password)
    membership = next((m for m in user.memberships if m.shop_id == shop.id), None)
    if membership is None:
        user.memberships.append(Membership(shop_id=shop.id, role=role))
    else:
        membership.role = role
    session.commit()
    return user
