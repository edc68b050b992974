"""Every field of every endpoint is checked: type, range, length, JSON size and depth, ids.

Bad input is a 4xx problem naming the field (``invalid_params``), never a 500.
"""
import ast
import json
from pathlib import Path

import pytest

from web.api import OUTPUT_PARAMS, PLACES_PARAMS
from web.itineraries_api import MAX_ID
from web.params import InvalidParameterError, Param, depth_of
from web.planning import PLAN_PARAMS
from web.security import create_token

from .conftest import ROOT

VALID = {"route": "points=site:base-11-19;site:louvre-lens",
         "tour": "stops=site:base-11-19;site:louvre-lens",
         "loop": "start=site:base-11-19&km=12",
         "stages": "points=site:base-11-19;site:louvre-lens&days=2"}
SAVE = {"name": "Terrils", "kind": "route",
        "request": {"profile": "bike", "points": "site:base-11-19;site:louvre-lens"}}


def field_problem(response, status, name):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert [p["name"] for p in body["invalid_params"]] == [name], body
    return body


@pytest.fixture()
def token_client(web_app):
    client = web_app.test_client()
    token = create_token(web_app.extensions["bassin_db"], "staff", "tests")
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def bad_value(spec: Param) -> str:
    """A query-string value the spec must refuse: out of range, not a number, too long."""
    if spec.type in ("number", "integer"):
        return str((spec.maximum or 0) + 1000) if spec.maximum is not None else "x"
    if spec.type == "boolean":
        return "perhaps"
    return "x" * (spec.max_length + 1) if spec.type != "list" else ",".join(["k"] * 51)


@pytest.mark.parametrize("kind, spec", [(k, s) for k, specs in PLAN_PARAMS.items()
                                        for s in specs + OUTPUT_PARAMS])
def test_each_planning_parameter_is_checked_and_named(web_app, kind, spec):
    url = f"/api/v1/{kind}?{VALID[kind]}&{spec.name}={bad_value(spec)}"
    if f"{spec.name}=" in VALID[kind]:
        url = f"/api/v1/{kind}?{spec.name}={bad_value(spec)}&" + "&".join(
            part for part in VALID[kind].split("&") if not part.startswith(spec.name + "="))
    field_problem(web_app.test_client().get(url), 400, spec.name)


@pytest.mark.parametrize("spec", PLACES_PARAMS)
def test_each_places_parameter_is_checked_and_named(web_app, spec):
    field_problem(web_app.test_client().get(f"/api/v1/places?{spec.name}={bad_value(spec)}"),
                  400, spec.name)


@pytest.mark.parametrize("bbox", ["1,2", "a,b,c,d", "50,2,49,3", "nan,2,50,3", "1,2,3,400"])
def test_bad_bboxes_are_named(web_app, bbox):
    field_problem(web_app.test_client().get(f"/api/v1/places?bbox={bbox}"), 400, "bbox")


@pytest.mark.parametrize("item_id", [2 ** 31, 2 ** 63, 2 ** 64, 10 ** 30])
def test_huge_item_ids_are_404_not_500(web_app, token_client, item_id):
    anonymous = web_app.test_client()
    for path in (f"/api/v1/itineraries/{item_id}", f"/api/v1/itineraries/{item_id}/export.gpx",
                 f"/api/v1/geotrek/itineraries/{item_id}.json"):
        assert anonymous.get(path).status_code == 404, path
    response = token_client.put(f"/api/v1/itineraries/{item_id}", json=SAVE,
                                headers={"If-Match": '"v1"'})
    assert response.status_code == 404
    assert token_client.delete(f"/api/v1/itineraries/{item_id}").status_code == 404
    assert item_id > MAX_ID


@pytest.mark.parametrize("body, name", [
    ({**SAVE, "name": 123}, "name"),
    ({**SAVE, "name": "n" * 201}, "name"),
    ({**SAVE, "description": ["a"]}, "description"),
    ({**SAVE, "kind": "teleport"}, "kind"),
    ({**SAVE, "kind": 7}, "kind"),
    ({**SAVE, "request": "abc"}, "request"),
    ({"name": "x", "kind": "route"}, "request"),
    ({**SAVE, "request": {"points": 123}}, "request.points"),
    ({**SAVE, "request": {"points": [[50.4, "2.8"], "site:lewarde"]}}, "request.points[0]"),
    ({**SAVE, "request": {"points": [[500, 2], "site:lewarde"]}}, "request.points[0]"),
    ({**SAVE, "request": {"points": ["x" * 101, "site:lewarde"]}}, "request.points[0]"),
    ({**SAVE, "request": {"points": ["site:lewarde"] * 51}}, "request.points"),
    ({**SAVE, "request": {**SAVE["request"], "profile": 123}}, "request.profile"),
    ({**SAVE, "request": {**SAVE["request"], "route_preference": True}}, "request.route_preference"),
    ({**SAVE, "request": {**SAVE["request"], "route_preference": 1e400}}, "request.route_preference"),
    ({"kind": "loop", "request": {"start": "site:base-11-19", "km": 12, "favour": 123}},
     "request.favour"),
    ({"kind": "loop", "request": {"start": "site:base-11-19", "km": 12, "favour": [1]}},
     "request.favour[0]"),
    ({"kind": "loop", "request": {"start": "site:base-11-19", "km": "12 km"}}, "request.km"),
    ({"kind": "loop", "request": {"start": "site:base-11-19", "km": 12, "seed": 2 ** 63}},
     "request.seed"),
    ({"kind": "loop", "request": {"start": "site:base-11-19", "km": 12, "candidates": 2.5}},
     "request.candidates"),
    ({"kind": "loop", "request": {"start": ["site:base-11-19", "site:lewarde"], "km": 12}},
     "request.start"),
    ({"kind": "tour", "request": {"stops": "site:lewarde;site:louvre-lens", "closed": "maybe"}},
     "request.closed"),
    ({"kind": "stages", "request": {**SAVE["request"], "days": "two"}}, "request.days"),
])
def test_save_body_fields_are_checked_and_named(token_client, body, name):
    field_problem(token_client.post("/api/v1/itineraries", json=body), 400, name)


def test_json_nested_100k_deep_is_400_everywhere(token_client):
    deep = "[" * 100_000 + "]" * 100_000
    for path in ("/api/v1/itineraries", "/api/v1/geotrek/import"):
        response = token_client.post(path, data=deep, content_type="application/json")
        assert response.status_code == 400, (path, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
    body = field_problem(token_client.post("/api/v1/itineraries", data=deep,
                                           content_type="application/json"), 400, "body")
    assert "nested deeper than 32" in body["detail"]
    just_too_deep = {**SAVE, "request": {**SAVE["request"], "x": json.loads("[" * 31 + "]" * 31)}}
    field_problem(token_client.post("/api/v1/itineraries", json=just_too_deep), 400, "body")


def test_json_bodies_are_bounded_in_size_and_media_type(web_app, token_client):
    web_app.config["JSON_MAX_BYTES"] = 8192
    big = dict(SAVE, description="d" * 9000)
    body = field_problem(token_client.post("/api/v1/itineraries", json=big), 413, "body")
    assert "8 kB" in body["detail"]
    field_problem(token_client.post("/api/v1/itineraries", data="name=x",
                                    content_type="application/x-www-form-urlencoded"), 415, "body")
    field_problem(token_client.post("/api/v1/itineraries", data=b"{\xff}",
                                    content_type="application/json"), 400, "body")
    field_problem(token_client.post("/api/v1/itineraries", data="1" * 5000,
                                    content_type="application/json"), 400, "body")
    field_problem(token_client.post("/api/v1/itineraries", json=[SAVE]), 400, "body")


def test_valid_bodies_still_save_with_typed_json_values(token_client):
    body = {"name": "  Terrils  ", "kind": "loop", "request": {
        "profile": "hike", "start": [[50.4432, 2.7885]], "km": 12, "favour": ["terril"],
        "seed": 1, "candidates": 2, "route_preference": 3}}
    created = token_client.post("/api/v1/itineraries", json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["name"] == "Terrils"


def test_depth_is_counted_without_recursion():
    value = []
    for _ in range(100_000):
        value = [value]
    assert depth_of(value, 32) == 33
    assert depth_of({"a": [1, {"b": []}]}, 32) == 4 and depth_of(5, 32) == 0


def test_params_refuse_wrong_types_in_the_library_too():
    spec = Param("km", "number", minimum=0.5, maximum=400)
    assert spec.parse("12") == 12.0 and spec.parse(12) == 12.0 and spec.parse(None) is None
    for raw in ("nan", "inf", True, [1], {"a": 1}, "1" * 41, 10 ** 400):
        with pytest.raises(InvalidParameterError) as info:
            spec.parse(raw, "request.")
        assert info.value.name == "request.km"


def _read_names(module: Path) -> set:
    """Literal names a module reads from the query string (``request.args.get`` …)."""
    names = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("get", "getlist") and \
                isinstance(node.func.value, ast.Attribute) and \
                node.func.value.attr in ("args", "values") and node.args and \
                isinstance(node.args[0], ast.Constant):
            names.add(node.args[0].value)
    return names


def test_openapi_documents_every_parameter_the_code_reads(web_app):
    spec = web_app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {p["name"] for item in spec["paths"].values() for op in item.values()
                  for p in op.get("parameters", [])}
    html_forms = ("pages.py", "security.py")         # /login's form, not the API
    read = set().union(*(_read_names(f) for f in (ROOT / "web").glob("*.py")
                         if f.name not in html_forms))
    declared = {s.name for specs in PLAN_PARAMS.values() for s in specs} | \
        {s.name for s in PLACES_PARAMS + OUTPUT_PARAMS}
    assert read and declared
    assert read | declared <= documented, (read | declared) - documented
    for kind, specs in PLAN_PARAMS.items():
        params = {p["name"]: p for p in spec["paths"][f"/api/v1/{kind}"]["get"]["parameters"]}
        for s in specs:
            assert params[s.name]["schema"]["type"] in ("string", "number", "integer", "boolean")
            if params[s.name]["schema"]["type"] == "string":
                assert params[s.name]["schema"]["maxLength"] > 0
