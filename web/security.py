"""Staff authentication (hashed passwords, sessions revoked server-side, API tokens
that expire and can be listed and revoked) and CSRF protection."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets

from flask import current_app, g, request, session
from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from .db import UNAVAILABLE, ApiToken, SavedItinerary, User, select
from .problems import Problem

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_DUMMY_HASH: list[str] = []


def create_user(db, username: str, password: str, display_name: str | None = None) -> User:
    """Create a staff user, or give it a new password (which ends all its sessions).

    The password is hashed (scrypt). ``display_name`` is what public pages show.
    """
    if not username or len(password) < 8:
        raise ValueError("a username and a password of at least 8 characters are needed")
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = User(username=username, password_hash="", session_epoch=0, display_name="")
            s.add(user)
        else:
            user.session_epoch = (user.session_epoch or 0) + 1
        user.password_hash = generate_password_hash(password)
        if display_name is not None:
            user.display_name = display_name.strip()[:80]
            s.execute(update(SavedItinerary).where(SavedItinerary.author == username)
                      .values(author_name=user.display_name))
        s.commit()
        return user


def digest(token: str) -> str:
    """The SHA-256 under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db, username: str, name: str, days: int | None = 90) -> str:
    """A new API token for a user, valid ``days`` (None: until revoked).

    Returned once; only its SHA-256 is stored.
    """
    token = secrets.token_urlsafe(32)
    expires = None
    if days:
        expires = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=days)
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise ValueError(f"no user {username!r}")
        s.add(ApiToken(user_id=user.id, name=name, token_hash=digest(token), expires=expires))
        s.commit()
    return token


def list_tokens(db, username: str | None = None) -> list[dict]:
    """The tokens (never their value): id, user, name, created, expires, expired."""
    query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    if username:
        query = query.where(User.username == username)
    with db.session() as s:
        return [{"id": t.id, "user": name, "name": t.name,
                 "created": t.created.isoformat() if t.created else None,
                 "expires": t.expires.isoformat() if t.expires else None,
                 "expired": t.expired()}
                for t, name in s.execute(query.order_by(ApiToken.id))]


def revoke_token(db, token_id: int) -> bool:
    """Delete a token at once; False if there is none with this id."""
    with db.session() as s:
        row = s.get(ApiToken, token_id)
        if row is None:
            return False
        s.delete(row)
        s.commit()
        return True


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def check_login(db, username: str, password: str) -> User | None:
    """The user if the password is right. An unknown user costs the same scrypt time."""
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def start_session(user: User) -> None:
    """A fresh session (new id, new CSRF token) for ``user``, bound to its epoch."""
    lang = session.get("lang")
    session.clear()
    session["user"] = user.username
    session["epoch"] = user.session_epoch or 0
    if lang:
        session["lang"] = lang


def end_sessions(db, username: str) -> None:
    """Log ``username`` out everywhere: every session cookie issued so far stops working."""
    with db.session() as s:
        s.execute(update(User).where(User.username == username)
                  .values(session_epoch=User.session_epoch + 1))
        s.commit()


def _token_user(s, token: str) -> str | None:
    row = s.scalars(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
    if row is None or row.expired():
        return None
    user = s.get(User, row.user_id)
    return user.username if user is not None else None


def current_user() -> str | None:
    """The staff user of this request (session cookie or bearer token), or None.

    A session counts only while its epoch is the user's (see :func:`end_sessions`);
    a revoked or expired token counts as none.
    """
    if "user" in g:
        return g.user
    g.user, g.via_token = None, False
    try:
        return _authenticate()
    except UNAVAILABLE:
        if request.method not in SAFE_METHODS:
            raise                       # a write without its user: 503, nothing done
        g.user = None                   # reads (routing) go on anonymously meanwhile
        return None


def _authenticate() -> str | None:
    header = request.headers.get("Authorization", "")
    db = current_app.extensions["bassin_db"]
    if header.startswith("Bearer "):
        with db.session() as s:
            g.user = _token_user(s, header[7:].strip())
            g.via_token = g.user is not None
    elif session.get("user"):
        with db.session() as s:
            user = s.scalars(select(User).where(User.username == session["user"])).first()
        if user is not None and session.get("epoch") == (user.session_epoch or 0):
            g.user = user.username
        else:
            session.pop("user", None)
            session.pop("epoch", None)
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
