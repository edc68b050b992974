"""``bassin-routes db upgrade|current|export|import``: the database's commands."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .config import load_config
from .errors import BackupError

# SQLAlchemy and Alembic load when a database command runs, not with the parser.


def add_commands(sub) -> None:
    p = sub.add_parser("db", help="database schema (Alembic) and backups",
                       description="The database is BASSIN_DATABASE_URL (default the SQLite "
                                   "file instance/bassin.db).")
    dsub = p.add_subparsers(dest="db_command", required=True)
    c = dsub.add_parser("upgrade", help="create or upgrade the schema to this release's")
    c.set_defaults(func=run_upgrade)
    c = dsub.add_parser("current", help="print the schema revision (and this release's)")
    c.set_defaults(func=run_current)
    c = dsub.add_parser("export", help="write itineraries and users (no secrets) as JSON")
    c.add_argument("file", help="output file ('-': standard output)")
    c.set_defaults(func=run_export)
    c = dsub.add_parser("import", help="add a backup's itineraries and users (all or nothing)")
    c.add_argument("file", type=Path)
    c.set_defaults(func=run_import)


def _database(upgrade: bool | None = None):
    from .db import open_database

    config = load_config({"SECRET_KEY": "unused"})
    if upgrade is not None:
        config["DB_AUTO_UPGRADE"] = upgrade
    return open_database(config)


def run_upgrade(args) -> int:
    db = _database(upgrade=True)
    print(f"database {db.engine.url.render_as_string(hide_password=True)} at revision "
          f"{db.revision} (head)")
    return 0


def run_current(args) -> int:
    from sqlalchemy import create_engine

    from . import schema

    # No schema check nor upgrade: report what is there.
    engine = create_engine(load_config({"SECRET_KEY": "unused"})["DATABASE_URL"])
    with engine.connect() as conn:
        print(f"{schema.current(conn) or 'empty'} (this release: {schema.head()})")
    engine.dispose()
    return 0


def run_export(args) -> int:
    from .backup import dumps, export_document

    text = dumps(export_document(_database()))
    if args.file == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.file)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)                  # a backup is whole or absent
    document = json.loads(text)
    print(f"{len(document['itineraries'])} itineraries, {len(document['users'])} users "
          f"-> {path}", file=sys.stderr)
    return 0


def run_import(args) -> int:
    from .backup import import_document

    try:
        document = json.loads(args.file.read_text("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"no file {args.file}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{args.file} is not JSON: {exc}") from None
    counts = import_document(_database(), document)
    print(f"imported {counts['itineraries']} itineraries, {counts['users']} users "
          f"({counts['users_kept']} already there); imported users need a password: "
          "bassin-routes user create NAME", file=sys.stderr)
    return 0
