"""Alembic migrations: a database of the first release upgrades with its data kept,
a newer schema is refused with a clear message; degraded modes when the database is
down or stuck (routing answers, writes get a 503 problem, nothing half-written)."""
import json
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from web import create_app, schema
from web.cli import main as cli
from web.errors import DatabaseSchemaError
from web.security import digest

from .conftest import ROOT, login

pytestmark = pytest.mark.both_databases

#: The DDL SQLAlchemy emitted for the schema of commit 528074a (schema_version 1).
LEGACY_DDL = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE users (id {serial} NOT NULL, username VARCHAR(80) NOT NULL,
  password_hash VARCHAR(255) NOT NULL, created {time} NOT NULL,
  PRIMARY KEY (id), UNIQUE (username));
CREATE TABLE itineraries (id {serial} NOT NULL, slug VARCHAR(120) NOT NULL,
  name VARCHAR(200) NOT NULL, description TEXT NOT NULL, profile VARCHAR(20) NOT NULL,
  kind VARCHAR(20) NOT NULL, request JSON NOT NULL, data JSON NOT NULL,
  published BOOLEAN NOT NULL, version INTEGER NOT NULL, author VARCHAR(80) NOT NULL,
  created {time} NOT NULL, updated {time} NOT NULL, PRIMARY KEY (id), UNIQUE (slug));
CREATE TABLE api_tokens (id {serial} NOT NULL, user_id INTEGER NOT NULL,
  name VARCHAR(80) NOT NULL, token_hash VARCHAR(64) NOT NULL, created {time} NOT NULL,
  PRIMARY KEY (id), FOREIGN KEY(user_id) REFERENCES users (id), UNIQUE (token_hash));
INSERT INTO schema_version (version) VALUES (1)
"""
#: What harden-web's home-made migration 2 ran (schema_version 2), before Alembic.
LEGACY_V2 = """
ALTER TABLE users ADD COLUMN display_name VARCHAR(80) NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN expires TIMESTAMP WITH TIME ZONE;
ALTER TABLE itineraries ADD COLUMN author_name VARCHAR(80) NOT NULL DEFAULT '';
UPDATE schema_version SET version = 2
"""
TYPES = {"sqlite": {"serial": "INTEGER", "time": "DATETIME"},
         "postgresql": {"serial": "SERIAL", "time": "TIMESTAMP WITH TIME ZONE"}}
TOKEN = "legacy-token-of-the-first-release"


def make_legacy_database(url: str, itinerary: dict, version: int = 1) -> None:
    """A database as the release of 528074a left it, with a user, a token, an itinerary."""
    engine = create_engine(url)
    statements = LEGACY_DDL.format(**TYPES[engine.dialect.name]).split(";")
    if version == 2:
        statements += LEGACY_V2.split(";")
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
        conn.execute(text("INSERT INTO users (username, password_hash, created) VALUES "
                          "('ancienne', :h, '2026-11-30 10:00:00')"),
                     {"h": generate_password_hash("mot de passe ancien")})
        conn.execute(text("INSERT INTO api_tokens (user_id, name, token_hash, created) "
                          "VALUES (1, 'script', :t, '2026-11-30 10:00:00')"), {"t": digest(TOKEN)})
        conn.execute(text(
            "INSERT INTO itineraries (slug, name, description, profile, kind, request, data, "
            "published, version, author, created, updated) VALUES ('terrils-abc123', "
            "'Boucle des terrils', 'Par le 11/19 — été', 'hike', 'route', :r, :d, :p, 3, "
            "'ancienne', '2026-11-30 10:00:00', '2026-11-30 11:00:00')"),
            {"r": json.dumps({"points": "site:base-11-19;site:louvre-lens"}),
             "d": json.dumps(itinerary), "p": True})
    engine.dispose()


@pytest.fixture()
def basin_itinerary(router_for):
    return router_for("basin").route(["site:base-11-19", "site:louvre-lens"], "hike").to_dict()


def app_on(url, router_for, tmp_path, **config):
    return create_app({"DATABASE_URL": url, "INSTANCE_DIR": str(tmp_path / "instance"),
                       "TESTING": True, **config}, router=router_for("basin"))


@pytest.mark.parametrize("legacy", [1, 2])
def test_first_release_database_upgrades_with_its_data(database_url, basin_itinerary,
                                                       router_for, tmp_path, legacy):
    make_legacy_database(database_url, basin_itinerary, legacy)
    app = app_on(database_url, router_for, tmp_path)
    db = app.extensions["bassin_db"]
    with db.engine.connect() as conn:
        assert schema.current(conn) == schema.head()
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert "schema_version" not in db.engine.dialect.get_table_names(conn)
    client = app.test_client()
    item = client.get("/api/v1/itineraries/1")
    assert item.status_code == 200 and item.headers["ETag"] == '"v3"'
    body = item.get_json()
    assert body["name"] == "Boucle des terrils" and body["description"] == "Par le 11/19 — été"
    assert body["itinerary"]["distance_m"] == pytest.approx(basin_itinerary["cum_m"][-1], abs=0.1)
    assert body["created"].startswith("2026-11-30T10:00:00")
    # the old password and the old token still work; tokens of then never expire
    csrf = login(client, "ancienne", "mot de passe ancien")
    renamed = client.put("/api/v1/itineraries/1", json={"name": "Terrils, renommée"},
                         headers={"X-CSRF-Token": csrf, "If-Match": '"v3"'})
    assert renamed.status_code == 200 and renamed.headers["ETag"] == '"v4"'
    scripted = app.test_client().post("/api/v1/itineraries/1/unpublish",
                                      headers={"Authorization": f"Bearer {TOKEN}",
                                               "If-Match": '"v4"'})
    assert scripted.status_code == 200 and scripted.get_json()["published"] is False
    db.engine.dispose()


def test_newer_schema_is_refused_with_a_clear_message(database_url, router_for, tmp_path,
                                                      monkeypatch, capsys):
    app_on(database_url, router_for, tmp_path).extensions["bassin_db"].engine.dispose()
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(DatabaseSchemaError, match="revision '0099', newer than this release"):
        app_on(database_url, router_for, tmp_path)
    monkeypatch.setenv("BASSIN_DATABASE_URL", database_url)
    assert cli(["db", "upgrade"]) == 2
    assert "newer than this release" in capsys.readouterr().err
    server = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, text=True,
                            capture_output=True, env={**os.environ, "BASSIN_INSTANCE_DIR":
                                                      str(tmp_path / "instance")})
    assert server.returncode == 1 and "Traceback" not in server.stderr
    assert server.stderr.startswith("bassin-routes: cannot start: the database schema is at "
                                    "revision '0099', newer than this release knows")


def test_db_upgrade_command_when_start_up_may_not(database_url, basin_itinerary, router_for,
                                                  tmp_path, monkeypatch, capsys):
    make_legacy_database(database_url, basin_itinerary)
    with pytest.raises(DatabaseSchemaError, match="run 'bassin-routes db upgrade' first"):
        app_on(database_url, router_for, tmp_path, DB_AUTO_UPGRADE=False)
    monkeypatch.setenv("BASSIN_DATABASE_URL", database_url)
    assert cli(["db", "current"]) == 0
    assert capsys.readouterr().out.startswith("0001 ")
    assert cli(["db", "upgrade"]) == 0
    assert f"at revision {schema.head()}" in capsys.readouterr().out
    app = app_on(database_url, router_for, tmp_path, DB_AUTO_UPGRADE=False)
    assert app.test_client().get("/api/v1/itineraries/1").status_code == 200
    app.extensions["bassin_db"].engine.dispose()


def _hold_write_lock(url: str, locked: threading.Event, release: threading.Event) -> None:
    """Another client holding the itineraries table (a stuck migration, a long backup)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            conn.execute(text("BEGIN"))
            conn.execute(text("LOCK TABLE itineraries, users IN ACCESS EXCLUSIVE MODE"))
        locked.set()
        release.wait(30)
        conn.rollback()
    engine.dispose()


def test_stuck_database_writes_503_routing_answers(web_app, database_url):
    from .test_web_saved import NEW

    web_app.extensions["bassin_db"].engine.dispose()
    db = web_app.extensions["bassin_db"]
    # every statement bounded at 1 s in this test
    web_app.extensions["bassin_db"] = type(db)(database_url, timeout=1.0)
    staff = web_app.test_client()
    csrf = login(staff)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(database_url, locked, release))
    holder.start()
    try:
        assert locked.wait(10)
        refused = staff.post("/api/v1/itineraries", json=NEW, headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 503, refused.get_data(as_text=True)
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["type"].endswith("/database-unavailable")
        route = staff.get("/api/v1/route?profile=hike&points=site:base-11-19;site:louvre-lens")
        assert route.status_code == 200 and route.get_json()["type"] == "FeatureCollection"
        assert web_app.test_client().get(
            "/api/v1/route?profile=bike&points=site:base-11-19;site:louvre-lens").status_code == 200
    finally:
        release.set()
        holder.join()
    with web_app.extensions["bassin_db"].engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM itineraries")).scalar() == 0
    created = staff.post("/api/v1/itineraries", json=NEW, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    web_app.extensions["bassin_db"].engine.dispose()


def test_database_down_routing_answers_health_503(router_for, tmp_path, database_url):
    if database_url.startswith("sqlite"):
        down = f"sqlite:///{tmp_path}"                 # a directory: cannot be opened
    else:
        down = database_url.replace("host=", "host=/nonexistent")   # no server there
    app = app_on(down, router_for, tmp_path, DB_TIMEOUT=1.0)
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503
    body = health.get_json()
    assert body["status"] == "degraded" and body["database"]["state"] == "down"
    assert body["graph"]["build_id"]
    assert client.get("/api/v1/route?profile=hike&points=site:base-11-19;site:louvre-lens"
                      ).status_code == 200
    listing = client.get("/api/v1/itineraries")
    assert listing.status_code == 503 and listing.get_json()["title"] == "Database unavailable"
    assert listing.headers["Retry-After"]
