"""Saved itineraries and staff accounts in a real database (SQLAlchemy).

SQLite by default (a file, WAL mode), PostgreSQL by URL. Alembic keeps the schema's
revision (:mod:`web.schema`). Concurrent edits never lose an update: every row has a
``version`` that an update must name (HTTP ``If-Match``) and that the update's
``WHERE`` checks. Every statement is bounded in time (``timeout``), so a database
that is down or stuck answers with an error instead of holding a worker.
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Integer, String, Text,
                        create_engine, event, select, text, update)
from sqlalchemy.exc import InterfaceError, OperationalError, TimeoutError as PoolTimeoutError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from . import schema

log = logging.getLogger(__name__)
#: what a database that is down, unreachable or too slow raises
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)


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
    """Engine + session factory + schema management for one database URL.

    Parameters
    ----------
    url : str
        SQLAlchemy URL (``sqlite:///…`` or ``postgresql+psycopg://…``).
    upgrade : bool
        Create or upgrade the schema on open (else refuse a database that is behind).
    timeout : float
        Seconds a connection, a statement or a lock may take before failing.
    allow_down : bool
        Open even when the database cannot be reached (the service keeps routing);
        the schema is checked on first use instead.
    """

    def __init__(self, url: str, upgrade: bool = True, timeout: float = 5.0,
                 allow_down: bool = False):
        self.url, self.upgrade, self.revision = url, upgrade, None
        self.engine = create_engine(url, future=True, **_engine_options(url, timeout))
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas(timeout))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, future=True)
        try:
            self.migrate()
        except UNAVAILABLE as exc:
            if not allow_down:
                raise
            log.warning("database unavailable at start (%s): serving without it",
                        exc.__class__.__name__)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> str:
        """Create or upgrade the schema (see :func:`web.schema.prepare`); its revision."""
        self.revision = schema.prepare(self.engine, self.upgrade)
        return self.revision

    def state(self) -> dict:
        """``{"state": "ok"|"down", "backend", "revision"}`` after a one-statement probe."""
        try:
            if self.revision is None:
                self.migrate()
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except UNAVAILABLE as exc:
            return {"state": "down", "backend": self.backend,
                    "detail": str(exc.orig if getattr(exc, "orig", None) else exc).strip()
                    .splitlines()[0][:200]}
        return {"state": "ok", "backend": self.backend, "revision": self.revision}

    def session(self) -> Session:
        """A new ORM session (the schema is checked first if it could not be at start)."""
        if self.revision is None:
            self.migrate()
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


def open_database(config: dict, allow_down: bool = False) -> Database:
    """The database named by an app config (``DATABASE_URL``, ``DB_*``)."""
    return Database(config["DATABASE_URL"], upgrade=config.get("DB_AUTO_UPGRADE", True),
                    timeout=config.get("DB_TIMEOUT", 5.0), allow_down=allow_down)


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file 0600 before SQLite does (its -wal/-shm files copy the mode)."""
    from sqlalchemy.engine import make_url

    from .config import create_private_file

    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        create_private_file(Path(database))


def _engine_options(url: str, timeout: float) -> dict:
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        return {"connect_args": {"check_same_thread": False, "timeout": timeout}}
    if url.startswith("postgresql"):
        ms = int(timeout * 1000)
        return {"pool_pre_ping": True, "pool_timeout": timeout,
                "connect_args": {"connect_timeout": max(1, round(timeout)),
                                 "application_name": "bassin-routes",
                                 "options": f"-c statement_timeout={ms} -c lock_timeout={ms}"}}
    return {}


def _sqlite_pragmas(timeout: float):
    def set_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cursor.close()
    return set_pragmas


__all__ = ["Database", "User", "ApiToken", "SavedItinerary", "UNAVAILABLE", "open_database", "select"]
