"""Admin users: passwords, roles per shop, and who is signed in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, text, update
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
    session_version: int = 1
    is_demo: bool = False
    # Each shop's ``ShopStatus`` and platform, for the admin's banner and settings link.
    shop_statuses: dict[int, str] = field(default_factory=dict)
    shop_platforms: dict[int, str] = field(default_factory=dict)

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """What Flask-Login keeps in the session (and a remember cookie): id and session version.

        Flask-Login's "alternative tokens": a cookie made before the version was bumped
        names an old version, so the user loader refuses it.
        """
        return f"{self.id}:{self.session_version}"


def parse_id(login_id: str) -> tuple[int, int] | None:
    """The (user id, session version) in what ``Staff.get_id`` made, or None."""
    user_id, _, version = login_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    return int(user_id), int(version)


def load_staff(session: Session, user_id: int) -> Staff | None:
    """The active user with this id, with their roles, or None."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    names = {m.shop_id: m.shop.name or m.shop.domain for m in user.memberships}
    roles = {m.shop_id: m.role for m in user.memberships}
    statuses = {m.shop_id: m.shop.status.value for m in user.memberships}
    platforms = {m.shop_id: str(m.shop.platform) for m in user.memberships}
    return Staff(
        user.id, user.email, roles, names, user.session_version, user.is_demo, statuses, platforms
    )


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
    # Only a changed password ends sessions: granting a role with the same one does not.
    if not (user.password_hash and check_password_hash(user.password_hash, password)):
        _new_password(user, password)
    membership = next((m for m in user.memberships if m.shop_id == shop.id), None)
    if membership is None:
        user.memberships.append(Membership(shop_id=shop.id, role=role))
    else:
        membership.role = role
    session.commit()
    return user


def has_users(session: Session) -> bool:
    """Whether anyone can sign in yet (a fresh install has nobody)."""
    return session.scalar(select(User.id).limit(1)) is not None


def create_first_user(session: Session, email: str, password: str) -> User | None:
    """The install's first user, or None when someone exists already; commits.

    Two first-run forms posted at once must not both make an account, so the check and the
    insert happen under a lock on the users table: PostgreSQL's ``LOCK TABLE`` in a mode
    that conflicts with itself (a second request waits, then sees the first one's row),
    SQLite's write lock, which a transaction whose first statement writes takes at once.
    """
    session.rollback()  # the lock must be this transaction's first statement
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))
    else:
        session.execute(update(User).where(User.id < 0).values(active=User.active))
    if has_users(session):
        session.rollback()
        return None
    user = User(email=email.strip().lower())
    _new_password(user, password)
    session.add(user)
    session.commit()
    return user


def _new_password(user: User, password: str) -> None:
    """Store the password's hash and end the sessions signed in with the old one."""
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Make every session cookie this user holds stop working (on commit)."""
    user.session_version = (user.session_version or 1) + 1


def end_all_sessions(session: Session, user_id: int) -> None:
    """Sign the user out everywhere (logout); commits."""
    user = session.get(User, user_id)
    if user is not None:
        end_sessions(user)
        session.commit()


def set_password(session: Session, user_id: int, password: str) -> None:
    """Change a user's password and sign them out everywhere; commits."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    _new_password(user, password)
    session.commit()


def deactivate(session: Session, email: str) -> bool:
    """Switch the user off and end their sessions; commits. False when there is no such user."""
    user = session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).one_or_none()
    if user is None:
        return False
    user.active = False
    end_sessions(user)
    session.commit()
    return True
