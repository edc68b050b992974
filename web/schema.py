"""The database schema's version, kept by Alembic (``web/migrations``).

:func:`prepare` runs when the service or a command opens a database: it creates the
schema on an empty database, upgrades an older one (when allowed) and refuses one
whose revision this code does not know (made by a newer release). Databases of the
first releases, which counted versions in a ``schema_version`` table, are stamped
at the matching revision first, then upgraded like any other.
"""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from .errors import DatabaseSchemaError

#: ``schema_version`` of the first releases -> the Alembic revision of that schema
LEGACY_VERSIONS = {1: "0001", 2: "0002"}
#: key of the PostgreSQL advisory lock that serialises upgrades of several instances
UPGRADE_LOCK = 0x6261_7373  # "bass"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "web:migrations")
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}


def current(connection: Connection) -> str | None:
    """The revision of the database (legacy version tables read as their revision)."""
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is not None:
        return revision
    tables = set(inspect(connection).get_table_names())
    if "schema_version" in tables:
        version = connection.execute(text("SELECT version FROM schema_version")).scalar()
        if version not in LEGACY_VERSIONS:
            raise DatabaseSchemaError(
                f"the database has schema_version {version}, which this release does not "
                f"know: it was made by a newer bassin-routes")
        return LEGACY_VERSIONS[version]
    if "itineraries" in tables:
        raise DatabaseSchemaError("the database has bassin-routes tables but no schema "
                                  "version: restore it from a backup ('db import')")
    return None


def prepare(engine: Engine, upgrade: bool = True) -> str:
    """Bring the schema to :func:`head`; return the revision in place.

    Parameters
    ----------
    engine : Engine
        The database.
    upgrade : bool
        Create or upgrade the schema when it is behind; when False, a database that
        is behind is refused (``bassin-routes db upgrade`` does it).

    Raises
    ------
    DatabaseSchemaError
        The database is newer than this code, or behind and ``upgrade`` is False.
    """
    target = head()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two instances starting at once: one upgrades, the other waits and sees it done.
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": UPGRADE_LOCK})
        revision = current(connection)
        if revision == target:
            return revision
        if revision is not None and revision not in known_revisions():
            raise DatabaseSchemaError(
                f"the database schema is at revision {revision!r}, newer than this release "
                f"knows (its newest is {target!r}): run a release that knows it, or point "
                f"BASSIN_DATABASE_URL at another database")
        if not upgrade:
            raise DatabaseSchemaError(
                f"the database schema is at revision {revision or 'none'}, this release "
                f"needs {target}: run 'bassin-routes db upgrade' first")
        config = _config(connection)
        if revision is not None and MigrationContext.configure(
                connection).get_current_revision() is None:
            command.stamp(config, revision)      # a legacy schema_version database
        command.upgrade(config, "head")
        return target


__all__ = ["prepare", "head", "current", "known_revisions", "LEGACY_VERSIONS"]
