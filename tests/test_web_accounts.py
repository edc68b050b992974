"""Accounts: throttled logins, equal time for unknown users, safe next=, sessions revoked
server-side, tokens that expire and are revoked, display names, headers, file modes."""
import datetime as dt
import re
import stat
import statistics
import time

import pytest

from web import create_app
from web.cli import main as cli_main
from web.db import ApiToken
from web.security import check_login, create_token, create_user, list_tokens, revoke_token

from .conftest import login

NEW = {"name": "Boucle", "kind": "route",
       "request": {"profile": "hike", "points": "site:base-11-19;terril:T075"}}


def _form_login(client, username, password, nxt=None):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"username": username, "password": password, "csrf_token": token}
    if nxt is not None:
        data["next"] = nxt
    return client.post("/login", data=data)


def test_login_is_throttled_per_user_and_per_address(web_app):
    client = web_app.test_client()
    attempts = 0
    while attempts < 50:
        response = _form_login(client, "staff", "wrong password")
        if response.status_code == 429:
            break
        assert response.status_code == 401
        attempts += 1
    assert attempts == 5, attempts          # LOGIN_LIMIT_USER: 5/minute
    assert int(response.headers["Retry-After"]) >= 1
    # even the right password waits now: guessing gains nothing
    assert _form_login(client, "staff", "correct horse battery").status_code == 429
    # the address limit (20/minute) stops spraying many user names
    sprayed = 0
    for k in range(40):
        if _form_login(client, f"user{k}", "x").status_code == 429:
            break
        sprayed += 1
    assert sprayed == 20 - attempts - 2, sprayed    # 2: the refused guess and the right one
    print(f"login attempts before 429: per user {attempts}, per address {attempts + 2 + sprayed}")


def test_unknown_users_take_as_long_as_known_ones(web_app):
    db = web_app.extensions["bassin_db"]
    check_login(db, "nobody", "warm-up")
    known, unknown = [], []
    for _ in range(5):
        t = time.perf_counter()
        assert check_login(db, "staff", "wrong password") is None
        known.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert check_login(db, "nobody-here", "wrong password") is None
        unknown.append(time.perf_counter() - t)
    ratio = statistics.median(unknown) / statistics.median(known)
    print(f"unknown/known login time ratio {ratio:.2f}")
    assert 0.6 < ratio < 1.6, ratio


@pytest.mark.parametrize("nxt", [
    "/%09/evil.example/", "/\t/evil.example/", "//evil.example/", "https://evil.example/",
    "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "/\n/evil.example",
    " /evil", "http:/evil.example", "evil.example", "/\x00/evil", "///evil.example",
    "/\u2028/evil.example"])
def test_next_never_leaves_the_site(web_app, nxt):
    client = web_app.test_client()
    response = client.get(f"/login?next={nxt}")
    assert "evil" not in re.search(r'name="next" value="([^"]*)"',
                                   response.get_data(as_text=True)).group(1)
    response = _form_login(client, "staff", "correct horse battery", nxt)
    assert response.status_code == 302
    assert response.headers["Location"] == "/designer"


def test_next_keeps_a_local_path(web_app):
    response = _form_login(web_app.test_client(), "staff", "correct horse battery",
                           "/itineraries?q=terril")
    assert response.headers["Location"] == "/itineraries?q=terril"


def test_query_string_next_percent_tab_is_refused(web_app):
    """The issue's exact request: ``/login?next=/%09/evil.example/``."""
    client = web_app.test_client()
    page = client.get("/login?next=/%09/evil.example/").get_data(as_text=True)
    assert 'name="next" value="/designer"' in page


def test_logout_and_new_password_revoke_sessions(web_app):
    client = web_app.test_client()
    csrf = login(client)
    stolen = client.get_cookie("session").value
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    replay = web_app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/designer").status_code == 302          # to the login page
    assert replay.post("/api/v1/itineraries", json=NEW,
                       headers={"X-CSRF-Token": csrf}).status_code in (401, 403)
    # a new password ends every session of the user
    other = web_app.test_client()
    login(other)
    assert other.get("/designer").status_code == 200
    create_user(web_app.extensions["bassin_db"], "staff", "another long password")
    assert other.get("/designer").status_code == 302


def test_tokens_expire_and_are_revoked(web_app):
    db = web_app.extensions["bassin_db"]
    client = web_app.test_client()
    token = create_token(db, "staff", "script", days=30)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/itineraries", headers=bearer).status_code == 200
    assert client.post("/api/v1/itineraries", json=NEW, headers=bearer).status_code == 201
    [row] = list_tokens(db)
    assert row["user"] == "staff" and row["expires"] and not row["expired"]
    with db.session() as s:        # thirty days later
        s.get(ApiToken, row["id"]).expires = dt.datetime.now(dt.timezone.utc) - dt.timedelta(1)
        s.commit()
    assert client.post("/api/v1/itineraries", json=NEW, headers=bearer).status_code == 401
    assert list_tokens(db)[0]["expired"]
    fresh = create_token(db, "staff", "again", days=None)
    assert client.post("/api/v1/itineraries", json=NEW,
                       headers={"Authorization": f"Bearer {fresh}"}).status_code == 201
    assert revoke_token(db, list_tokens(db)[-1]["id"])
    assert client.post("/api/v1/itineraries", json=NEW,
                       headers={"Authorization": f"Bearer {fresh}"}).status_code == 401
    assert not revoke_token(db, 9999)


def test_token_commands(web_app, monkeypatch, capsys):
    monkeypatch.setenv("BASSIN_DATABASE_URL", web_app.config["DATABASE_URL"])
    monkeypatch.setenv("BASSIN_INSTANCE_DIR", web_app.config["INSTANCE_DIR"])
    assert cli_main(["token", "create", "staff", "--name", "ci", "--expires-days", "7"]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) > 30
    assert cli_main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "ci" in listing and token not in listing and "never" not in listing
    token_id = list_tokens(web_app.extensions["bassin_db"])[0]["id"]
    assert cli_main(["token", "revoke", str(token_id)]) == 0
    assert cli_main(["token", "revoke", str(token_id)]) == 2
    assert "no token" in capsys.readouterr().err
    assert list_tokens(web_app.extensions["bassin_db"]) == []


def test_public_pages_show_display_names_never_usernames(web_app):
    db = web_app.extensions["bassin_db"]
    token = create_token(db, "staff", "t")
    client = web_app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    item = client.post("/api/v1/itineraries", json=NEW, headers=bearer).get_json()
    client.post(f"/api/v1/itineraries/{item['id']}/publish",
                headers=dict(bearer, **{"If-Match": '"v1"'}))
    public = web_app.test_client()
    urls = ("/api/v1/itineraries", f"/api/v1/itineraries/{item['id']}", f"/i/{item['slug']}",
            "/itineraries", f"/embed/{item['slug']}")
    for url in urls:
        assert "staff" not in public.get(url).get_data(as_text=True), url
    create_user(db, "staff", "correct horse battery", display_name="Office de tourisme de Lens")
    assert public.get(f"/api/v1/itineraries/{item['id']}").get_json()["author"] == \
        "Office de tourisme de Lens"


def test_405_says_which_methods_are_allowed(web_app):
    client = web_app.test_client()
    response = client.delete("/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    response = client.patch("/api/v1/itineraries")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_database_and_secret_are_private(web_app, tmp_path):
    for path in (tmp_path / "web.db", tmp_path / "instance" / "secret_key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_https_gives_secure_cookies_and_hsts(router_for, tmp_path, monkeypatch):
    monkeypatch.setenv("BASSIN_HTTPS", "1")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
                      "INSTANCE_DIR": str(tmp_path / "i")}, router=router_for("basin"))
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert "Secure" in response.headers["Set-Cookie"]
    monkeypatch.setenv("BASSIN_HTTPS", "0")
    plain = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
                        "INSTANCE_DIR": str(tmp_path / "j")}, router=router_for("basin"))
    assert "Strict-Transport-Security" not in plain.test_client().get("/login").headers


def test_anonymous_expensive_endpoints_are_limited(router_for, tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}",
                      "INSTANCE_DIR": str(tmp_path / "i"), "EXPENSIVE_LIMIT": "3/minute"},
                     router=router_for("basin"))
    create_user(app.extensions["bassin_db"], "staff", "correct horse battery")
    client = app.test_client()
    url = "/api/v1/stages?points=site:base-11-19;site:louvre-lens&days=2&format=json"
    codes = [client.get(url).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    limited = client.get(url)
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) >= 1 and limited.get_json()["retry_after"] >= 1
    assert client.get("/api/v1/route?points=site:base-11-19;site:louvre-lens").status_code == 200
    token = create_token(app.extensions["bassin_db"], "staff", "t")
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize("url", [
    "/api/v1/isochrone?point=site:base-11-19&minutes=10&profile=bike",
    "/api/v1/matrix?points=site:base-11-19;site:louvre-lens&profile=bike",
    "/api/v1/directions?points=site:base-11-19;site:louvre-lens&profile=bike",
    "/api/v1/network/connectivity",
])
def test_routing_and_network_endpoints_are_limited_for_anonymous(router_for, tmp_path, url):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}",
                      "INSTANCE_DIR": str(tmp_path / "i"), "EXPENSIVE_LIMIT": "2/minute"},
                     router=router_for("basin"))
    client = app.test_client()
    codes = [client.get(url).status_code for _ in range(3)]
    assert codes[2] == 429, codes
    assert all(c < 500 for c in codes)
