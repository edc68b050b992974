"""A set of saved itineraries of various practices, lengths, shapes and stages, made through
the API, for the home's filter tests (server-side and in Chromium)."""
from __future__ import annotations

from web import create_app
from web.security import create_token, create_user

#: (name, description, kind, request, published)
ITINERARIES = (
    ("Du 11/19 au Louvre-Lens", "Des terrils jumeaux au musée", "route",
     {"profile": "hike", "points": "site:base-11-19;site:louvre-lens"}, True),
    ("Lewarde – Arenberg à vélo", "Par les cavaliers du Douaisis", "route",
     {"profile": "bike", "points": "site:lewarde;site:wallers-arenberg"}, True),
    ("Boucle des terrils jumeaux", "Autour de la base 11/19", "loop",
     {"profile": "hike", "start": "site:base-11-19", "km": 8, "seed": 1}, True),
    ("Grande traversée à vélo", "Deux jours de Bruay à Arenberg", "stages",
     {"profile": "bike", "points": "site:cite-des-electriciens;site:wallers-arenberg",
      "days": 2}, True),
    ("Trail de Loos-en-Gohelle", "", "loop",
     {"profile": "trail", "start": "site:base-11-19", "km": 12, "seed": 2}, True),
    ("En famille à Pinchonvalles", "Du Louvre-Lens au terril", "route",
     {"profile": "family", "points": "site:louvre-lens;park:pinchonvalles"}, True),
    ("Brouillon secret", "pas encore publié", "route",
     {"profile": "hike", "points": "site:lewarde;site:louvre-lens"}, False),
)


def make_portal_app(router, folder, itineraries=ITINERARIES):
    """An app with its own SQLite database holding ``itineraries``; returns (app, token, rows).

    ``rows`` are the API's answers to the creations (with ``published`` as asked).
    """
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'portal.db'}",
                      "INSTANCE_DIR": str(folder / "instance"), "TESTING": True,
                      "RATELIMIT_ENABLED": False, "BUDGET_SECONDS": None}, router=router)
    db = app.extensions["bassin_db"]
    create_user(db, "staff", "correct horse battery", display_name="Office de tourisme")
    token = create_token(db, "staff", "portal")
    client = app.test_client()
    rows = []
    for name, description, kind, req, published in itineraries:
        created = client.post("/api/v1/itineraries", headers=bearer(token), json={
            "name": name, "description": description, "kind": kind, "request": req})
        assert created.status_code == 201, created.get_data(as_text=True)
        row = created.get_json()
        if published:
            answer = client.post(f"/api/v1/itineraries/{row['id']}/publish",
                                 headers=bearer(token, f'"v{row["version"]}"'))
            assert answer.status_code == 200
            row["version"] = answer.get_json()["version"]
        row["published"] = published
        rows.append(row)
    return app, token, rows


def bearer(token: str, etag: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    if etag:
        headers["If-Match"] = etag
    return headers
