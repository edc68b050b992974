"""Saved itineraries: staff auth, CSRF, optimistic locking, publication, embeds, XSS."""
import re
import threading

import pytest

from web import create_app, schema
from web.db import SavedItinerary, User, select
from web.security import create_token

from .conftest import login

pytestmark = pytest.mark.both_databases

NEW = {"name": "Boucle des terrils", "description": "Par le 11/19", "kind": "loop",
       "request": {"profile": "hike", "start": "site:base-11-19", "km": 20, "favour": "terril",
                   "seed": 1}}


def test_writes_need_staff_and_csrf(web_app):
    client = web_app.test_client()
    assert client.post("/api/v1/itineraries", json=NEW).status_code == 401
    csrf = login(client)
    refused = client.post("/api/v1/itineraries?lang=en", json=NEW)
    assert refused.status_code == 403 and refused.get_json()["title"] == "CSRF check failed"
    created = client.post("/api/v1/itineraries", json=NEW, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201 and created.headers["ETag"] == '"v1"'
    assert created.headers["Location"].endswith(f"/{created.get_json()['id']}")
    body = created.get_json()
    assert body["itinerary"]["closed"] and 18000 <= body["itinerary"]["distance_m"] <= 22000


def test_login_form_needs_csrf_and_passwords_are_hashed(web_app):
    client = web_app.test_client()
    client.get("/login")
    assert client.post("/login", data={"username": "staff",
                                       "password": "correct horse battery"}).status_code == 403
    with web_app.extensions["bassin_db"].session() as s:
        user = s.scalars(select(User)).first()
    assert "correct horse" not in user.password_hash and user.password_hash.startswith("scrypt")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    wrong = client.post("/login", data={"username": "staff", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401
    assert client.get("/designer").status_code == 302


def test_drafts_are_private_until_published(web_app):
    staff, public = web_app.test_client(), web_app.test_client()
    csrf = login(staff)
    created = staff.post("/api/v1/itineraries", json=NEW, headers={"X-CSRF-Token": csrf}).get_json()
    item, slug = created["id"], created["slug"]
    assert public.get(f"/api/v1/itineraries/{item}").status_code == 404
    assert public.get(f"/embed/{slug}").status_code == 404
    assert public.get("/api/v1/itineraries").get_json()["count"] == 0
    no_match = staff.post(f"/api/v1/itineraries/{item}/publish", headers={"X-CSRF-Token": csrf})
    assert no_match.status_code == 428
    published = staff.post(f"/api/v1/itineraries/{item}/publish",
                           headers={"X-CSRF-Token": csrf, "If-Match": '"v1"'})
    assert published.status_code == 200 and published.get_json()["published"]
    assert public.get(f"/api/v1/itineraries/{item}").status_code == 200
    embed = public.get(f"/embed/{slug}")
    assert embed.status_code == 200
    assert "frame-ancestors https://www.pas-de-calais-tourisme.com" in \
        embed.headers["Content-Security-Policy"].split("; ")
    page = public.get(f"/i/{slug}").get_data(as_text=True)
    assert "Boucle des terrils" in page and f"/api/v1/itineraries/{item}/export.gpx" in page
    gpx = public.get(f"/api/v1/itineraries/{item}/export.gpx")
    assert gpx.status_code == 200 and b"<trk>" in gpx.data


def test_concurrent_edits_never_lose_an_update(web_app):
    alice, bob = web_app.test_client(), web_app.test_client()
    a_csrf, b_csrf = login(alice), login(bob)
    item = alice.post("/api/v1/itineraries", json=NEW, headers={"X-CSRF-Token": a_csrf}).get_json()["id"]
    url = f"/api/v1/itineraries/{item}"
    etag_a = alice.get(url).headers["ETag"]
    etag_b = bob.get(url).headers["ETag"]
    assert etag_a == etag_b == '"v1"'
    results = {}

    def edit(name, client, csrf, etag):
        results[name] = client.put(url, json={"name": f"par {name}"},
                                   headers={"X-CSRF-Token": csrf, "If-Match": etag}).status_code

    threads = [threading.Thread(target=edit, args=("alice", alice, a_csrf, etag_a)),
               threading.Thread(target=edit, args=("bob", bob, b_csrf, etag_b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 412]
    winner = [n for n, code in results.items() if code == 200][0]
    final = alice.get(url)
    assert final.get_json()["name"] == f"par {winner}" and final.headers["ETag"] == '"v2"'
    stale = bob.delete(url, headers={"X-CSRF-Token": b_csrf, "If-Match": '"v1"'})
    assert stale.status_code == 412 and stale.get_json()["current_etag"] == '"v2"'
    replanned = alice.put(url, json={"request": dict(NEW["request"], km=15)},
                          headers={"X-CSRF-Token": a_csrf, "If-Match": '"v2"'}).get_json()
    assert 13500 <= replanned["itinerary"]["distance_m"] <= 16500
    assert alice.delete(url, headers={"X-CSRF-Token": a_csrf, "If-Match": '"v3"'}).status_code == 204
    assert alice.get(url).status_code == 404


def test_api_token_and_persistence_across_restarts(web_app, router_for):
    token = create_token(web_app.extensions["bassin_db"], "staff", "script")
    client = web_app.test_client()
    created = client.post("/api/v1/itineraries", json=NEW,
                          headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201
    bad = client.post("/api/v1/itineraries", json=NEW, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    again = create_app({"DATABASE_URL": web_app.config["DATABASE_URL"],
                        "INSTANCE_DIR": web_app.config["INSTANCE_DIR"]}, router=router_for("basin"))
    with again.extensions["bassin_db"].session() as s:
        names = [i.name for i in s.scalars(select(SavedItinerary))]
    assert names == ["Boucle des terrils"]
    database = again.extensions["bassin_db"]
    with database.engine.connect() as conn:
        if database.backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert schema.current(conn) == schema.head()
    database.engine.dispose()


def test_pages_answer_html_errors(web_app):
    response = web_app.test_client().get("/i/no-such-itinerary", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "introuvable" in response.get_data(as_text=True)


def test_names_are_escaped_everywhere(web_app):
    client = web_app.test_client()
    csrf = login(client)
    evil = dict(NEW, name='<script>alert("x")</script><img src=x onerror=alert(1)>',
                description="<b>bold</b>")
    item = client.post("/api/v1/itineraries", json=evil, headers={"X-CSRF-Token": csrf}).get_json()
    client.post(f"/api/v1/itineraries/{item['id']}/publish",
                headers={"X-CSRF-Token": csrf, "If-Match": '"v1"'})
    for url in (f"/i/{item['slug']}", f"/i/{item['slug']}/map", f"/embed/{item['slug']}",
                "/itineraries", f"/api/v1/itineraries/{item['id']}/export.html"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "<b>bold</b>" not in html
    page = client.get(f"/i/{item['slug']}").get_data(as_text=True)
    assert "&lt;script&gt;alert" in page
