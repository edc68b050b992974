"""Saved itineraries for the itinerary-page tests: planned on the real graphs, published."""
from __future__ import annotations

import pytest

from web import create_app
from web.security import create_token

ROUTE = {"name": "Des terrils au Louvre-Lens <b>&</b>", "description": "Par la base 11/19.",
         "kind": "route",
         "request": {"profile": "bike", "points": "site:base-11-19;terril:T075;site:louvre-lens"}}
STAGES = {"name": "Grande traversée en deux jours", "kind": "stages",
          "request": {"profile": "hike", "points": "site:base-11-19;site:louvre-lens", "days": 2}}
# Andorra: the shared SRTM tile gives a real elevation profile.
MOUNTAIN = {"name": "Andorra la Vella – Encamp", "description": "Une montée franche.",
            "kind": "route", "request": {"profile": "hike", "points": "42.5078,1.5211;42.5631,1.6047"}}


def publish(app, body: dict) -> dict:
    """Create ``body`` through the API (bearer token) and publish it; its JSON."""
    client = app.test_client()
    token = create_token(app.extensions["bassin_db"], "staff", "page-tests")
    bearer = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/itineraries", headers=bearer, json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    item = created.get_json()
    done = client.post(f"/api/v1/itineraries/{item['id']}/publish",
                       headers=dict(bearer, **{"If-Match": f'"v{item["version"]}"'}))
    assert done.status_code == 200, done.get_data(as_text=True)
    return item


@pytest.fixture()
def mountain_app(router_for, tmp_path):
    """The app on the Andorra graph (with its DEM), one published itinerary."""
    from web.security import create_user

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'andorra.db'}",
                      "INSTANCE_DIR": str(tmp_path / "instance"), "TESTING": True,
                      "BUDGET_SECONDS": None}, router=router_for("andorra"))
    create_user(app.extensions["bassin_db"], "staff", "correct horse battery")
    yield app, publish(app, MOUNTAIN)
    app.extensions["bassin_db"].engine.dispose()
