"""Saved itineraries and staff accounts in a real database (SQLAlchemy).

SQLite by default (a file, WAL mode), PostgreSQL by URL. The schema carries a
version in ``schema_version``; :data:`MIGRATIONS` brings an older database up.
Concurrent edits never lose an update: every row has a ``version`` that an
update must name (HTTP ``If-Match``) and that the update's ``WHERE`` checks.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Integer, String, Text,
                        create_engine, event, select, text, update)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

SCHEMA_VERSION = 2
#: version -> SQL statements that upgrade from version - 1
MIGRATIONS: dict[int, list[str]] = {
    2: ["ALTER TABLE users ADD COLUMN display_name VARCHAR(80) NOT NULL DEFAULT ''",
        "ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE api_tokens ADD COLUMN expires TIMESTAMP WITH TIME ZONE",
        "ALTER TABLE itineraries ADD COLUMN author_name VARCHAR(80) NOT NULL DEFAULT ''"],
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    #: shown on public pages as the author; the username never is
    display_name: Mapped[str] = mapped_column(String(80), default="")
    #: sessions carry the epoch they were opened in; logout and a new password bump it
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def expired(self, now: dt.datetime | None = None) -> bool:
        if self.expires is None:
            return False
        expires = self.expires if self.expires.tzinfo else self.expires.replace(
            tzinfo=dt.timezone.utc)
        return expires <= (now or _now())


class SavedItinerary(Base):
    __tablename__ = "itineraries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    profile: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    request: Mapped[dict] = mapped_column(JSON)        # what was asked: points, options
    data: Mapped[dict] = mapped_column(JSON)           # Itinerary.to_dict()
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    author: Mapped[str] = mapped_column(String(80), default="")       # staff username
    author_name: Mapped[str] = mapped_column(String(80), default="")  # its display name
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    def summary(self) -> dict:
        return {"id": self.id, "slug": self.slug, "name": self.name,
                "description": self.description, "profile": self.profile, "kind": self.kind,
                "published": self.published, "version": self.version,
                "author": self.author_name or None,
                "distance_m": (self.data or {}).get("cum_m", [0])[-1] if self.data else None,
                "created": self.created.isoformat() if self.created else None,
                "updated": self.updated.isoformat() if self.updated else None}


@event.listens_for(SavedItinerary, "before_insert")
def _author_name(_mapper, connection, target: SavedItinerary) -> None:
    """Public pages name the author by display name only (never by username)."""
    if target.author and not target.author_name:
        target.author_name = connection.execute(
            select(User.display_name).where(User.username == target.author)).scalar() or ""


class Database:
    """Engine + session factory + schema management for one database URL."""

    def __init__(self, url: str):
        kwargs = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
            _private_sqlite_file(url)
        self.engine = create_engine(url, future=True, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, future=True)
        self.migrate()

    def migrate(self) -> int:
        """Create or upgrade the schema; returns the version now in place."""
        with self.engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
            row = conn.execute(text("SELECT version FROM schema_version")).first()
            current = row[0] if row else 0
            if current == 0:
                Base.metadata.create_all(conn)
                conn.execute(text("INSERT INTO schema_version (version) VALUES (:v)"),
                             {"v": SCHEMA_VERSION})
                return SCHEMA_VERSION
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(version, []):
                    conn.execute(text(statement))
            if current < SCHEMA_VERSION:
                conn.execute(text("UPDATE schema_version SET version = :v"), {"v": SCHEMA_VERSION})
            return max(current, SCHEMA_VERSION)

    def session(self) -> Session:
        return self.sessions()

    def list_itineraries(self, q: str = "", drafts: bool = False, in_description: bool = True):
        """Saved itineraries, newest first: published ones, and drafts when ``drafts``;
        ``q`` filters on the name (and the description)."""
        q = (q or "").strip().lower()
        query = select(SavedItinerary).order_by(SavedItinerary.updated.desc())
        if not drafts:
            query = query.where(SavedItinerary.published.is_(True))
        with self.session() as s:
            return [i.summary() for i in s.scalars(query)
                    if not q or q in i.name.lower()
                    or (in_description and q in (i.description or "").lower())]

    def update_if_version(self, session: Session, item_id: int, version: int, **values) -> bool:
        """Update a saved itinerary only if it is still at ``version`` (optimistic lock)."""
        result = session.execute(
            update(SavedItinerary)
            .where(SavedItinerary.id == item_id, SavedItinerary.version == version)
            .values(version=version + 1, updated=_now(), **values))
        return result.rowcount == 1


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file 0600 before SQLite does (its -wal/-shm files copy the mode)."""
    from sqlalchemy.engine import make_url

    from .config import create_private_file

    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        create_private_file(Path(database))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


__all__ = ["Database", "User", "ApiToken", "SavedItinerary", "SCHEMA_VERSION", "select"]
