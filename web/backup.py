"""Backups: saved itineraries and staff users (never their secrets) as one JSON document.

``bassin-routes db export FILE`` / ``db import FILE``. The document is the same
whatever the backend it was read from (times in UTC, keys sorted, no export
time), so a SQLite → PostgreSQL → SQLite trip gives back the very same bytes.
Passwords and API tokens are not exported: an imported user logs in once
``bassin-routes user create NAME`` has given it a password.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select, text

from .db import Database, SavedItinerary, User
from .errors import BackupError

FORMAT = "bassin-routes-backup"
FORMAT_VERSION = 1
#: password hash of an imported user: matches no password until one is set
NO_PASSWORD = "!imported"
ITINERARY_FIELDS = ("id", "slug", "name", "description", "profile", "kind", "request", "data",
                    "published", "version", "author", "author_name", "created", "updated")
USER_FIELDS = ("username", "display_name", "created")


def _time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:                  # SQLite gives back naive UTC times
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat()


def _row(obj, fields) -> dict:
    return {f: _time(getattr(obj, f)) if f in ("created", "updated") else getattr(obj, f)
            for f in fields}


def export_document(db: Database) -> dict:
    """Users (without secrets) and itineraries of ``db``, ordered by name and id."""
    with db.session() as s:
        users = [_row(u, USER_FIELDS) for u in s.scalars(select(User).order_by(User.username))]
        items = [_row(i, ITINERARY_FIELDS)
                 for i in s.scalars(select(SavedItinerary).order_by(SavedItinerary.id))]
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "users": users,
            "itineraries": items}


def dumps(document: dict) -> str:
    """The document as text: sorted keys, so equal contents are equal bytes."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def _parse_time(value, where: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BackupError(f"{where}: {value!r} is not an ISO time") from None


def _check(document) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"not a bassin-routes backup (no \"format\": \"{FORMAT}\")")
    if document.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"backup format_version {document.get('format_version')!r}: this "
                          f"release reads version {FORMAT_VERSION}")
    for key, fields in (("users", USER_FIELDS), ("itineraries", ITINERARY_FIELDS)):
        rows = document.get(key)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BackupError(f"{key!r} must be a list of objects")
        for n, row in enumerate(rows):
            missing = [f for f in fields if f not in row]
            if missing:
                raise BackupError(f"{key}[{n}] lacks {', '.join(missing)}")


def import_document(db: Database, document: dict) -> dict:
    """Add a backup's users and itineraries to ``db``, all or nothing.

    Users already present are kept as they are (their passwords stay); an
    itinerary whose id or slug is taken is a conflict and nothing is imported.

    Returns
    -------
    dict
        ``{"users": added, "users_kept": already there, "itineraries": added}``.

    Raises
    ------
    BackupError
        The document is not a backup, or its itineraries clash with the database's.
    """
    _check(document)
    with db.session() as s, s.begin():
        existing = set(s.scalars(select(User.username)))
        users = [u for u in document["users"] if u["username"] not in existing]
        for n, u in enumerate(users):
            s.add(User(username=u["username"], display_name=u["display_name"] or "",
                       password_hash=NO_PASSWORD, session_epoch=0,
                       created=_parse_time(u["created"], f"users[{n}].created")))
        items = document["itineraries"]
        ids, slugs = {i["id"] for i in items}, {i["slug"] for i in items}
        clash = s.execute(select(SavedItinerary.id, SavedItinerary.slug).where(
            SavedItinerary.id.in_(ids) | SavedItinerary.slug.in_(slugs))).all()
        if clash:
            raise BackupError(f"{len(clash)} itineraries of the backup are already in the "
                              f"database (ids {', '.join(str(c.id) for c in clash[:10])}): "
                              "import into an empty database")
        for n, i in enumerate(items):
            values = {f: i[f] for f in ITINERARY_FIELDS if f not in ("created", "updated")}
            s.add(SavedItinerary(**values,
                                 created=_parse_time(i["created"], f"itineraries[{n}].created"),
                                 updated=_parse_time(i["updated"], f"itineraries[{n}].updated")))
        s.flush()
        if s.bind.dialect.name == "postgresql" and items:
            # ids were given: move the sequence past them so new rows do not collide
            s.execute(text("SELECT setval(pg_get_serial_sequence('itineraries', 'id'), :n)"),
                      {"n": s.scalar(select(func.max(SavedItinerary.id)))})
    return {"users": len(users), "users_kept": len(document["users"]) - len(users),
            "itineraries": len(items)}


__all__ = ["export_document", "import_document", "dumps", "NO_PASSWORD"]
