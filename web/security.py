"""Staff authentication (hashed passwords, API tokens) and CSRF protection."""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from flask import current_app, g, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from .db import ApiToken, User, select
from .problems import Problem

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def create_user(db, username: str, password: str) -> User:
    """Create (or reset the password of) a staff user; the password is hashed (scrypt)."""
    if not username or len(password) < 8:
        raise ValueError("a username and a password of at least 8 characters are needed")
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = User(username=username, password_hash="")
            s.add(user)
        user.password_hash = generate_password_hash(password)
        s.commit()
        return user


def create_token(db, username: str, name: str) -> str:
    """A new API token for a user: returned once, only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise ValueError(f"no user {username!r}")
        s.add(ApiToken(user_id=user.id, name=name, token_hash=_digest(token)))
        s.commit()
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_login(db, username: str, password: str) -> User | None:
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
    if user is not None and check_password_hash(user.password_hash, password):
        return user
    return None


def current_user() -> str | None:
    """The staff user of this request (session cookie or bearer token), or None."""
    if "user" in g:
        return g.user
    g.user, g.via_token = None, False
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        db = current_app.extensions["bassin_db"]
        with db.session() as s:
            row = s.scalars(select(ApiToken).where(
                ApiToken.token_hash == _digest(header[7:].strip()))).first()
            if row is not None:
                user = s.get(User, row.user_id)
                g.user, g.via_token = user.username, True
    elif session.get("user"):
        g.user = session["user"]
    return g.user


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a state-changing request made with the session cookie and no CSRF token.

    Bearer-token calls carry no ambient credential, so they need none.
    """
    if request.method in SAFE_METHODS or g.get("via_token"):
        return
    if not session.get("user") and request.endpoint not in ("pages.login",):
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise Problem(403, "CSRF check failed", "missing or wrong CSRF token", "csrf")


def staff_required(view):
    """API view decorator: 401 problem unless a staff user is authenticated."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            raise Problem(401, "Authentication required",
                          "log in on /login or send 'Authorization: Bearer <token>'", "auth")
        return view(*args, **kwargs)
    return wrapper
