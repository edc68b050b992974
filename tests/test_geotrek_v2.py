"""Geotrek API v2 (/api/v2/): the contract Geotrek-rando v3 and the widget read, filters,
pagination, files, reference lists, communes, POIs, and the round trip through our importer."""
import json
import threading
from urllib.parse import urlsplit

import jsonschema
import pytest
from defusedxml import ElementTree

from gpx.geotrek_import import trek_schema
from gpx.geotrek_source import read_instance, read_source
from routing import Itinerary

from .conftest import shared_path

#: What Geotrek-rando v3 asks for a trek page (frontend/src/modules/details/api.ts).
RANDO_DETAIL_FIELDS = (
    "id,name,departure,arrival,cities,attachments,practice,public_transport,access,advised_parking,"
    "description_teaser,ambiance,themes,duration,length_2d,ascent,descent,difficulty,route,networks,"
    "description,geometry,parking_location,pdf,gpx,kml,departure_city,disabled_infrastructure,"
    "accessibilities,source,information_desks,labels,advice,gear,points_reference,children,"
    "web_links,elevation_area_url,altimetric_profile,reservation_id,accessibility_signage,"
    "accessibility_slope,accessibility_width,accessibility_covering,accessibility_exposure,"
    "accessibility_advice,attachments_accessibility,accessibility_level,ratings,"
    "ratings_description,view_points")
#: What Geotrek-rando v3 asks for a result card (frontend/src/modules/results/api.ts).
RANDO_LIST_FIELDS = ("id,departure,name,themes,duration,length_2d,ascent,descent,difficulty,"
                     "reservation_system,attachments,practice,departure_city,route,networks")
#: What the Geotrek-rando widget asks for a trek (treks.service getTrek).
WIDGET_FIELDS = (
    "id,name,attachments,description,description_teaser,difficulty,duration,ascent,descent,"
    "length_2d,practice,themes,route,geometry,gpx,kml,pdf,parking_location,departure,"
    "departure_city,arrival,cities,ambiance,access,public_transport,advice,advised_parking,gear,"
    "labels,source,points_reference,disabled_infrastructure,accessibility_level,"
    "accessibility_slope,accessibility_width,accessibility_signage,accessibility_covering,"
    "accessibility_exposure,accessibility_advice,accessibilities,ratings,ratings_description,"
    "information_desks,children,networks,web_links,update_datetime,departure_geom,districts,parents")


@pytest.fixture(scope="module")
def served(router_for, tmp_path_factory):
    """The app on the basin network with published itineraries of every shape."""
    from web import create_app
    from web.db import SavedItinerary

    tmp = tmp_path_factory.mktemp("geotrek-v2")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'web.db'}", "INSTANCE_DIR": str(tmp),
                      "TESTING": True, "COMMUNES_FILE": str(shared_path(
                          "bassin-minier", "communes-mbm.geojson"))}, router=router_for("basin"))
    basin, andorra = router_for("basin"), router_for("andorra")
    route = basin.route(["site:base-11-19", "site:louvre-lens"], "hike")
    route.name = "Du 11/19 au Louvre-Lens"
    tour = basin.stages(basin.route(["site:cite-des-electriciens", "site:base-11-19",
                                     "site:wallers-arenberg"], "bike"), days=2)
    tour.name = "Traversée du Bassin minier à vélo"
    mountain = andorra.route([(42.5078, 1.5211), (42.5631, 1.6047)], "hike")
    mountain.name = "Crêtes d'Andorre"
    draft = basin.route(["site:base-11-19", "site:louvre-lens"], "bike")
    coords = basin.route([(50.4405, 2.7920), (50.3700, 3.0700)], "bike")     # no place ids
    sample = read_source(shared_path("geotrek", "trek.json")).itineraries[0]
    rows = {}
    with app.extensions["bassin_db"].session() as s:
        for key, it, published in (("route", route, True), ("tour", tour, True),
                                   ("mountain", mountain, True), ("draft", draft, False),
                                   ("coords", coords, True),
                                   ("sample", sample, True)):
            it.name = it.name or key
            item = SavedItinerary(slug=f"{key}-test", name=it.name, profile=it.profile,
                                  kind="route", request={}, data=it.to_dict(), published=published)
            s.add(item)
            s.flush()
            rows[key] = (item.id, Itinerary.from_dict(item.data))     # as saved
        s.commit()
    return app, rows


def get(app, url, status=200):
    response = app.test_client().get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# -- contract -------------------------------------------------------------------------------

def test_contract_schema_holds_for_geotrek_admin_samples():
    validator = jsonschema.Draft202012Validator(trek_schema())
    page = json.loads(shared_path("geotrek", "trek.json").read_text())
    assert page["results"]
    for trek in page["results"]:
        assert list(validator.iter_errors(trek)) == [], trek["id"]
    # the schema is not a tautology: Geotrek's own signs and types are enforced
    bad = dict(page["results"][0], descent=777)
    assert any(e.path[0] == "descent" for e in validator.iter_errors(bad))
    bad = dict(page["results"][0], name=123)
    assert any(e.path[0] == "name" for e in validator.iter_errors(bad))


def test_contract_schema_holds_for_our_treks(served):
    app, rows = served
    validator = jsonschema.Draft202012Validator(trek_schema())
    page = get(app, "/api/v2/trek/?page_size=50").get_json()
    assert page["count"] == 1 + 3 + 1 + 1 + 1 + 1    # route, tour + 2 stages, mountain, coords, sample + stage
    for trek in page["results"]:
        errors = [(list(e.path), e.message) for e in validator.iter_errors(trek)]
        assert errors == [], (trek["id"], errors)
        assert trek["geometry"]["type"] == "LineString"
        assert trek["descent"] is None or trek["descent"] <= 0
    for language in ("fr", "en"):
        for trek in get(app, f"/api/v2/trek/?language={language}").get_json()["results"]:
            assert list(validator.iter_errors(trek)) == []
            assert isinstance(trek["name"], str) and trek["name"]
            assert isinstance(trek["pdf"], str) and isinstance(trek["published"], bool)


@pytest.mark.parametrize("fields", [RANDO_DETAIL_FIELDS, WIDGET_FIELDS])
def test_every_field_the_clients_ask_is_served(served, fields):
    app, rows = served
    tour_id = rows["tour"][0]
    feature = get(app, f"/api/v2/trek/{tour_id}/?language=fr&format=geojson&fields={fields}"
                  ).get_json()
    assert feature["type"] == "Feature" and len(feature["bbox"]) == 4
    west, south, east, north = feature["bbox"]
    assert west < east and south < north
    properties = feature["properties"]
    wanted = set(fields.split(",")) - {"geometry"}
    assert wanted <= set(properties), wanted - set(properties)
    assert feature["geometry"]["type"] == "LineString"
    schema = trek_schema()
    validator = jsonschema.Draft202012Validator(dict(schema, required=sorted(
        wanted & set(schema["required"]))))
    assert list(validator.iter_errors(properties)) == []
    # Geotrek-rando fetches each child as its own trek
    assert len(properties["children"]) == 2
    for rank, child in enumerate(properties["children"]):
        step = get(app, f"/api/v2/trek/{child}/?language=fr&format=geojson").get_json()
        assert step["properties"]["parents"] == [tour_id]
        assert step["geometry"]["coordinates"]
        neighbours = properties["children"]
        assert step["properties"]["previous"] == {str(tour_id): neighbours[rank - 1] if rank else None}
        assert step["properties"]["next"] == {str(tour_id): neighbours[rank + 1] if rank == 0 else None}
        name = get(app, f"/api/v2/trek/{child}/?language=fr&fields=name").get_json()
        assert list(name) == ["name"] and name["name"]


def test_list_fields_and_geojson_collection(served):
    app, _ = served
    page = get(app, f"/api/v2/trek/?language=fr&fields={RANDO_LIST_FIELDS}").get_json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert all(set(t) == set(RANDO_LIST_FIELDS.split(",")) for t in page["results"])
    collection = get(app, "/api/v2/trek/?format=geojson&fields=id,departure_geom,practice")
    body = collection.get_json()
    assert collection.mimetype == "application/geo+json"
    assert body["type"] == "FeatureCollection" and len(body["bbox"]) == 4
    assert all(f["type"] == "Feature" and f["properties"]["departure_geom"] for f in body["features"])


def test_names_figures_and_communes(served):
    app, rows = served
    route = get(app, f"/api/v2/trek/{rows['route'][0]}/?language=fr").get_json()
    assert route["departure_city"] == "62528"                  # Loos-en-Gohelle
    assert route["cities"][0] == "62528" and "62498" in route["cities"]    # … Lens
    assert route["arrival"] == "Louvre-Lens" and route["departure"].startswith("Base 11/19")
    assert route["practice"] == 1 and route["route"] == 3 and 1 in route["labels"]
    assert route["length_2d"] == pytest.approx(rows["route"][1].distance_m, abs=0.1)
    mountain = get(app, f"/api/v2/trek/{rows['mountain'][0]}/").get_json()
    it = rows["mountain"][1]
    assert mountain["ascent"] == round(it.ascent_m) > 0 and mountain["descent"] == -round(it.descent_m) < 0
    assert 800 < mountain["min_elevation"] < mountain["max_elevation"] < 3000
    assert mountain["length_3d"] > mountain["length_2d"]
    assert mountain["accessibility_slope"]["fr"].startswith("Pente maximale")
    cities = {c["id"]: c["name"] for c in get(app, "/api/v2/city/?page_size=200&page=1").get_json()[
        "results"] + get(app, "/api/v2/city/?page_size=200&page=2").get_json()["results"]}
    assert len(cities) == 330 and cities["62528"] == "Loos-en-Gohelle"
    assert get(app, "/api/v2/city/62498/?fields=id,name").get_json() == {"id": "62498", "name": "Lens"}
    # coordinates as ends: named from the nearest place along, else the commune
    coords = get(app, f"/api/v2/trek/{rows['coords'][0]}/?language=fr").get_json()
    it = rows["coords"][1]
    along = {p["name"] for p in it.places if p.get("name")}
    assert coords["departure"] in along | {cities[coords["departure_city"]]}
    assert coords["arrival"] in along | {cities[coords["arrival_city"]]}
    assert coords["departure_city"] == coords["cities"][0] and len(coords["cities"]) > 3
    # an imported Geotrek trek keeps its translations and its source's figures
    sample = get(app, f"/api/v2/trek/{rows['sample'][0]}/").get_json()
    assert sample["name"]["en"] == "Loop of the pic of 3 lords"
    assert sample["length_2d"] == 7606.3 and sample["descent"] == -777 and sample["practice"] is None


@pytest.mark.parametrize("query, keys", [
    ("practices=1", {"route", "mountain"}), ("practices=3", {"tour", "coords"}),
    ("practices=3,1", {"route", "tour", "mountain", "coords"}),
    ("cities=62528", {"route", "tour"}), ("cities=99999", set()),
    ("in_bbox=1.4,42.4,1.7,42.7", {"mountain"}), ("in_bbox=2.78,50.43,2.81,50.45", {"route", "tour", "coords"}),
    ("published=false", set()), ("portals=1&practices=1", {"route", "mountain"}), ("portals=2", set()),
    ("themes=2&difficulties=1,2,3,4,5", None), ("routes=1", {"sample"}),
    ("length_min=50000", {"tour"}), ("length_max=3000&practices=1", {"route"}),
    ("duration_min=20", {"sample"}), ("ascent_min=500", {"mountain", "sample"}),
    ("q=LOUVRE lens", {"route"}), ("q=crêtes", {"mountain"}), ("q=pic of 3 lords", {"sample"}),
])
def test_filters(served, query, keys):
    app, rows = served
    page = get(app, f"/api/v2/trek/?{query}&page_size=50&fields=id,parents").get_json()
    parents = {t["id"] for t in page["results"] if not t["parents"]}
    ids = {k: v[0] for k, v in rows.items()}
    if keys is None:                   # terrils (theme 2) along the basin itineraries
        assert ids["route"] in parents and ids["mountain"] not in parents
    else:
        assert parents == {ids[k] for k in keys}
    assert page["count"] == len(page["results"])


@pytest.mark.parametrize("query, field", [
    ("practices=walk", "practices"), ("in_bbox=1,2,3", "in_bbox"), ("in_bbox=5,5,1,1", "in_bbox"),
    ("page=0", "page"), ("page_size=100000", "page_size"), ("language=de", "language"),
    ("format=xml", "format"), ("published=maybe", "published"), ("page=99", "page"),
    ("length_min=-1", "length_min"), ("duration_max=nan", "duration_max"), ("ascent_min=x", "ascent_min"),
    ("q=" + "x" * 300, "q"), ("fields=" + ",".join(["a"] * 300), "fields"),
])
def test_bad_parameters_are_problems_naming_them(served, query, field):
    app, _ = served
    response = app.test_client().get(f"/api/v2/trek/?{query}")
    assert response.status_code in (400, 404) and response.mimetype == "application/problem+json"
    assert response.get_json()["field"] == field


def test_pagination_like_geotrek(served):
    app, _ = served
    first = get(app, "/api/v2/trek/?page_size=3&fields=id").get_json()
    assert first["count"] == 8 and len(first["results"]) == 3 and first["previous"] is None
    seen = [t["id"] for t in first["results"]]
    page = first
    for _ in range(5):
        if not page["next"]:
            break
        page = get(app, path_of(page["next"])).get_json()
        assert page["previous"]
        seen += [t["id"] for t in page["results"]]
    assert len(seen) == len(set(seen)) == 8
    assert get(app, "/api/v2/trek/999/", 404).mimetype == "application/problem+json"


def test_links_point_to_real_files(served):
    app, rows = served
    trek = get(app, f"/api/v2/trek/{rows['mountain'][0]}/?language=en").get_json()
    assert get(app, path_of(trek["url"])).get_json()["id"] == trek["id"]
    gpx = get(app, path_of(trek["gpx"]))
    assert gpx.mimetype == "application/gpx+xml" and b"<trk>" in gpx.data
    assert ElementTree.fromstring(get(app, path_of(trek["kml"])).data).tag.endswith("kml")
    pdf = get(app, path_of(trek["pdf"])).data
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[xref:xref + 4] == b"xref"
    for number, line in enumerate(pdf[xref:].split(b"\n")[3:8], start=1):   # the xref is true
        start = int(line.split()[0])
        assert pdf[start:].startswith(b"%d 0 obj" % number)
    assert "Crêtes".encode("cp1252") in pdf and b"OpenStreetMap" in pdf
    profile = get(app, path_of(trek["altimetric_profile"])).get_json()
    assert profile["profile"][0][0] == 0 and profile["profile"][-1][0] == pytest.approx(
        trek["length_2d"], abs=1)
    assert 800 < profile["limits"]["floor"] < profile["limits"]["ceil"]
    svg = get(app, path_of(trek["elevation_svg_url"]))
    assert svg.mimetype == "image/svg+xml" and ElementTree.fromstring(svg.data).tag.endswith("svg")
    dem = get(app, path_of(trek["elevation_area_url"])).get_json()
    assert len(dem["altitudes"]) == dem["resolution"]["y"] and dem["extent"]["altitudes"]["max"] > 1000
    flat = get(app, f"/api/v2/trek/{rows['route'][0]}/").get_json()
    assert flat["elevation_area_url"] is None and flat["ascent"] is None   # no DEM on this graph


def test_reference_lists(served):
    app, _ = served
    keys = {"trek_practice": "name", "trek_difficulty": "label", "trek_route": "route",
            "theme": "label", "trek_network": "label", "label": "name",
            "trek_accessibility": "name", "trek_accessibility_level": "name", "poi_type": "label",
            "portal": "name"}
    for endpoint, key in keys.items():
        page = get(app, f"/api/v2/{endpoint}/?language=fr").get_json()
        assert page["count"] == len(page["results"]) > 0, endpoint
        for entry in page["results"]:
            assert isinstance(entry["id"], int) and isinstance(entry[key], str) and entry[key]
            assert "aliases" not in entry and "profiles" not in entry
        both = get(app, f"/api/v2/{endpoint}/{page['results'][0]['id']}/").get_json()
        assert set(both[key]) >= {"fr", "en"}
    practices = {p["id"]: p["name"] for p in get(app, "/api/v2/trek_practice/?language=en"
                                                 ).get_json()["results"]}
    assert practices[1] == "Hiking" and practices[4] == "Mountain bike"


@pytest.mark.parametrize("endpoint", ["source", "informationdesk", "trek_rating",
                                      "touristiccontent", "sensitivearea", "outdoor_site"])
def test_lists_of_content_we_do_not_hold_are_empty(served, endpoint):
    app, _ = served
    page = get(app, f"/api/v2/{endpoint}/?language=fr&fields=id,name").get_json()
    assert page == {"count": 0, "next": None, "previous": None, "results": []}
    collection = get(app, f"/api/v2/{endpoint}/?format=geojson").get_json()
    assert collection["type"] == "FeatureCollection" and collection["features"] == []


def test_pois_along_a_trek(served):
    app, rows = served
    route_id = rows["route"][0]
    page = get(app, f"/api/v2/poi/?trek={route_id}&language=fr&page_size=200").get_json()
    names = [p["name"] for p in page["results"]]
    assert page["count"] == len(rows["route"][1].places) and "Louvre-Lens" in names
    types = {t["id"] for t in get(app, "/api/v2/poi_type/").get_json()["results"]}
    assert all(p["type"] in types and p["geometry"]["type"] == "Point" for p in page["results"])
    terrils = get(app, f"/api/v2/poi/?trek={route_id}&types=2&format=geojson").get_json()
    assert terrils["features"] and all(f["properties"]["type"] == 2 for f in terrils["features"])
    one = page["results"][0]
    assert get(app, f"/api/v2/poi/{one['id']}/?language=fr").get_json()["name"] == one["name"]


def test_tour_list_gives_ordered_steps(served):
    app, rows = served
    tours = get(app, "/api/v2/tour/?fields=id,uuid,steps,published").get_json()["results"]
    by_id = {t["id"]: t for t in tours}
    assert set(by_id) == {rows["tour"][0], rows["sample"][0]}
    steps = by_id[rows["tour"][0]]["steps"]
    assert [s["id"] for s in steps] == get(app, f"/api/v2/trek/{rows['tour'][0]}/"
                                           ).get_json()["children"]
    assert all(set(s) == {"id", "uuid", "published"} for s in steps)


def test_communes_from_place_data_without_the_layer(web_app, router_for):
    """Without COMMUNES_FILE nor communes in the graph, the heritage places' communes."""
    from web.db import SavedItinerary

    it = router_for("basin").route(["site:base-11-19", "site:louvre-lens"], "hike")
    with web_app.extensions["bassin_db"].session() as s:
        s.add(SavedItinerary(slug="r-1", name="R", profile="hike", kind="route", request={},
                             data=it.to_dict(), published=True))
        s.commit()
    cities = {c["id"]: c["name"] for c in get(web_app, "/api/v2/city/?page_size=200").get_json()[
        "results"]}
    assert cities["loos-en-gohelle"] == "Loos-en-Gohelle" and len(cities) > 50
    trek = get(web_app, "/api/v2/trek/?language=fr").get_json()["results"][0]
    assert trek["departure_city"] == "loos-en-gohelle" and set(trek["cities"]) <= set(cities)


def test_round_trip_through_our_own_importer(served):
    """Serve /api/v2/ on loopback; our importer reads it back as an instance would."""
    from web.words import localised

    from werkzeug.serving import make_server

    app, rows = served
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        batch = read_instance(f"http://127.0.0.1:{server.port}/api/v2/trek/?page_size=2")
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert batch.failures == []
    back = {it.meta["geotrek_id"]: it for it in batch.itineraries}
    assert set(back) == {rows[k][0] for k in ("route", "tour", "mountain", "coords", "sample")}
    for key in ("route", "tour", "mountain", "coords", "sample"):
        trek_id, original = rows[key]
        again = back[trek_id]
        assert again.name == original.name
        assert again.coordinates() == original.coordinates()
        assert again.profile == original.profile
        assert len(again.stages) == len(original.stages)
        # stages are named in web/, in the instance's default language (French)
        for a, b in zip(again.stages, localised(original, "fr").stages):
            assert a.name == b.name and a.coordinates() == b.coordinates()
        # the line re-measured from 7-decimal coordinates, and the figure served, kept as is
        assert again.distance_m == pytest.approx(original.distance_m, rel=1e-4, abs=0.05)
        figures = again.meta["source_figures"]
        assert figures["length_2d"] == (original.meta.get("source_figures") or {}).get(
            "length_2d", round(original.distance_m, 1))
        assert again.duration_s == pytest.approx(original.duration_s, abs=36)
        kept = original.meta.get("source_figures") or {}
        if original.ascent_m is not None:
            assert figures["ascent"] == kept.get("ascent", round(original.ascent_m))
            assert figures["descent"] == kept.get("descent", -round(original.descent_m))
    sample = back[rows["sample"][0]]
    assert sample.meta["translations"]["name"] == {"fr": "Boucle du Pic des Trois Seigneurs",
                                                   "en": "Loop of the pic of 3 lords",
                                                   "it": "Foo bar"}
    assert sample.meta["source_figures"]["length_2d"] == 7606.3
    assert [s.meta["translations"]["name"]["en"] for s in sample.stages] == ["Bar"]
