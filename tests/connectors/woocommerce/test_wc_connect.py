"""Connect attempts: one user, one session, one callback, one return, read_write keys only."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from connectors.woocommerce import connect
from core.enums import Role
from core.models import ConnectAttempt
from webapp.users import add_user

STORE = "https://shop.example"


def _payload(token, permissions="read_write"):
    return {
        "key_id": 3,
        "user_id": token,
        "consumer_key": "ck_x",
        "consumer_secret": "cs_y",
        "key_permissions": permissions,
    }


@pytest.fixture
def owner(db, factory):
    """An owner of some shop: they may connect a new store."""
    return add_user(db, "owner@example.com", "pw", factory.shop(), Role.OWNER)


def _start(db, owner, clock, session_secret="browser-1"):
    return connect.start(
        db, user_id=owner.id, session_secret=session_secret, store_url=STORE + "/", now=clock.now()
    )


def test_authorize_url_carries_the_attempts_token(db, owner, clock):
    token = _start(db, owner, clock)
    url = connect.authorize_url(
        STORE, token=token, return_url="https://app/return", callback_url="https://app/cb"
    )
    parsed = urlparse(url)
    assert (parsed.netloc, parsed.path) == ("shop.example", "/wc-auth/v1/authorize")
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    assert (query["scope"], query["callback_url"], query["user_id"]) == (
        "read_write",
        "https://app/cb",
        token,
    )
    # Only a hash of the token is kept.
    assert db.scalar(select(func.count()).where(ConnectAttempt.token_hash == token)) == 0


def test_one_callback_then_one_return_hand_over_the_keys(db, owner, clock):
    token = _start(db, owner, clock)
    connect.accept_callback(db, _payload(token), clock.now())
    with pytest.raises(connect.ConnectRefused, match="already received"):
        connect.accept_callback(db, _payload(token), clock.now())
    keys = connect.finish(
        db, token=token, user_id=owner.id, session_secret="browser-1", now=clock.now()
    )
    assert (keys.store_url, keys.key_id, keys.consumer_key) == (STORE, 3, "ck_x")
    with pytest.raises(connect.ConnectRefused, match="already finished"):
        connect.finish(
            db, token=token, user_id=owner.id, session_secret="browser-1", now=clock.now()
        )
    assert db.scalars(select(ConnectAttempt)).one().keys is None  # not kept once handed over


def test_a_return_from_another_session_or_user_is_refused(db, owner, factory, clock):
    token = _start(db, owner, clock)
    connect.accept_callback(db, _payload(token), clock.now())
    other = add_user(db, "other@example.com", "pw", factory.shop(), Role.OWNER)
    for user_id, secret in ((owner.id, "browser-2"), (other.id, "browser-1")):
        with pytest.raises(connect.ConnectRefused, match="someone else or in another browser"):
            connect.finish(db, token=token, user_id=user_id, session_secret=secret, now=clock.now())


def test_expired_token_is_refused(db, owner, clock):
    token = _start(db, owner, clock)
    later = clock.now() + timedelta(seconds=connect.CONNECT_TOKEN_TTL + 1)
    with pytest.raises(connect.ConnectRefused, match="expired"):
        connect.accept_callback(db, _payload(token), later)


def test_unknown_token_is_refused(db, clock):
    with pytest.raises(connect.ConnectRefused, match="not one of ours"):
        connect.accept_callback(db, _payload("made-up"), clock.now())


def test_read_only_keys_are_refused(db, owner, clock):
    token = _start(db, owner, clock)
    with pytest.raises(connect.ConnectRefused, match="read_write"):
        connect.accept_callback(db, _payload(token, "read"), clock.now())


def test_staff_without_an_owner_role_start_nothing(db, factory, clock):
    warehouse = add_user(db, "w@example.com", "pw", factory.shop(), Role.WAREHOUSE)
    with pytest.raises(connect.ConnectRefused, match="only a shop owner"):
        _start(db, warehouse, clock)
    assert db.scalar(select(func.count(ConnectAttempt.id))) == 0
