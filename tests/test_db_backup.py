"""``bassin-routes db export|import``: SQLite -> PostgreSQL -> SQLite gives the same bytes;
no secrets leave; a clashing import writes nothing."""
import json

import pytest

from web import create_app
from web.cli import main as cli
from web.security import check_login, create_token, create_user

from . import postgres
from .conftest import login
from .test_web_saved import NEW


def _export(url, path, monkeypatch) -> bytes:
    monkeypatch.setenv("BASSIN_DATABASE_URL", url)
    assert cli(["db", "export", str(path)]) == 0
    return path.read_bytes()


def _import(url, path, monkeypatch) -> int:
    monkeypatch.setenv("BASSIN_DATABASE_URL", url)
    return cli(["db", "import", str(path)])


@pytest.fixture()
def pg_database(postgres_server):
    created = []

    def make():
        url, name = postgres.create_database(postgres_server)
        created.append(name)
        return url
    yield make
    for name in created:
        postgres.drop_database(postgres_server, name)


def test_round_trip_across_backends_is_identical(web_app, pg_database, tmp_path, monkeypatch,
                                                 capsys):
    db = web_app.extensions["bassin_db"]
    create_user(db, "chloé", "un mot de passe sûr", display_name="Chloé « Terrils » Dupont")
    create_token(db, "staff", "script")
    client = web_app.test_client()
    csrf = login(client)
    headers = {"X-CSRF-Token": csrf}
    first = client.post("/api/v1/itineraries", json=NEW, headers=headers).get_json()
    second = client.post("/api/v1/itineraries", headers=headers, json={
        "name": "Du 11/19 au Louvre-Lens — « cavaliers »", "description": "Étape\nà vélo",
        "kind": "route", "request": {"profile": "bike",
                                     "points": "site:base-11-19;site:louvre-lens"}}).get_json()
    client.post(f"/api/v1/itineraries/{second['id']}/publish",
                headers=dict(headers, **{"If-Match": '"v1"'}))
    client.put(f"/api/v1/itineraries/{first['id']}", json={"name": "Terrils, v3"},
               headers=dict(headers, **{"If-Match": '"v1"'}))

    sqlite_export = _export(web_app.config["DATABASE_URL"], tmp_path / "a.json", monkeypatch)
    document = json.loads(sqlite_export)
    assert [i["name"] for i in document["itineraries"]] == [
        "Terrils, v3", "Du 11/19 au Louvre-Lens — « cavaliers »"]
    assert [u["username"] for u in document["users"]] == ["chloé", "staff"]
    text = sqlite_export.decode()
    assert "scrypt" not in text and "token" not in text and "password" not in text

    pg_url = pg_database()
    assert _import(pg_url, tmp_path / "a.json", monkeypatch) == 0
    pg_export = _export(pg_url, tmp_path / "b.json", monkeypatch)
    assert pg_export == sqlite_export
    back = f"sqlite:///{tmp_path / 'back.db'}"
    assert _import(back, tmp_path / "b.json", monkeypatch) == 0
    assert _export(back, tmp_path / "c.json", monkeypatch) == sqlite_export

    # imported users have no password until one is set; links and versions survive
    app = create_app({"DATABASE_URL": pg_url, "INSTANCE_DIR": str(tmp_path / "i"),
                      "TESTING": True}, router=web_app.extensions["bassin"].service)
    pg_db = app.extensions["bassin_db"]
    assert check_login(pg_db, "staff", "correct horse battery") is None
    create_user(pg_db, "staff", "correct horse battery")
    pg_client = app.test_client()
    pg_csrf = login(pg_client)
    moved = pg_client.get(f"/api/v1/itineraries/{first['id']}")
    assert moved.headers["ETag"] == '"v2"' and moved.get_json()["name"] == "Terrils, v3"
    newer = pg_client.post("/api/v1/itineraries", json=NEW, headers={"X-CSRF-Token": pg_csrf})
    assert newer.status_code == 201 and newer.get_json()["id"] == second["id"] + 1

    # importing again clashes: refused, nothing written
    capsys.readouterr()
    assert _import(pg_url, tmp_path / "a.json", monkeypatch) == 2
    assert "already in the database" in capsys.readouterr().err
    assert len(json.loads(_export(pg_url, tmp_path / "d.json", monkeypatch))["itineraries"]) == 3
    pg_db.engine.dispose()


@pytest.mark.parametrize("content, message", [
    ("not json", "is not JSON"),
    ('{"format": "gpx"}', "not a bassin-routes backup"),
    ('{"format": "bassin-routes-backup", "format_version": 1, "users": [], '
     '"itineraries": [{"slug": "x"}]}', "itineraries[0] lacks id"),
])
def test_bad_backups_are_refused(tmp_path, monkeypatch, capsys, content, message):
    (tmp_path / "bad.json").write_text(content)
    assert _import(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "bad.json", monkeypatch) == 2
    assert message in capsys.readouterr().err
