"""The home's filters on N published itineraries: precomputed facets vs decoding per request.

Plans a dozen real itineraries on the basin test network, copies them into N published
rows (names, profiles and descriptions varied; geometry as planned), then measures, in the
same run and on the same rows:

- ``facets_cold_s``: the first listing, which computes and writes every facet row;
- ``snapshot_s``: rebuilding the in-memory snapshot from the stored rows (a new worker);
- per query (HTTP ``/api/v1/portal/itineraries`` and the HTML ``/``), the median time of a
  request served from the snapshot, and the same filter done the naive way (decode every
  published itinerary, then filter) as the baseline, with their ratio;
- the page weight of ``/`` (HTML and the static files it loads, raw and gzip).

Prints one JSON object::

    python benchmarks/portal_filters.py --itineraries 500
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = ("", "practice=bike", "practice=hike&route=loop", "length=10-20&length=20-40",
           "kind=terril&theme=1", "q=terrils%20jumeaux", "difficulty=2&sort=shortest&page=3",
           "commune=lens&practice=hike,family,trail")
PLANS = (("route", {"profile": "hike", "points": "site:base-11-19;site:louvre-lens"}),
         ("route", {"profile": "bike", "points": "site:lewarde;site:wallers-arenberg"}),
         ("loop", {"profile": "hike", "start": "site:base-11-19", "km": 8, "seed": 1}),
         ("loop", {"profile": "trail", "start": "site:base-11-19", "km": 12, "seed": 2}),
         ("stages", {"profile": "bike", "points": "site:cite-des-electriciens;"
                     "site:wallers-arenberg", "days": 2}),
         ("route", {"profile": "family", "points": "site:louvre-lens;park:pinchonvalles"}),
         ("route", {"profile": "bike", "points": "site:oignies-9-9bis;site:lewarde"}),
         ("route", {"profile": "hike", "points": "site:cite-des-electriciens;site:base-11-19"}),
         ("loop", {"profile": "bike", "start": "site:lewarde", "km": 35, "seed": 3}),
         ("route", {"profile": "gravel", "points": "site:louvre-lens;site:oignies-9-9bis"}))
PROFILES = ("hike", "bike", "trail", "family", "gravel", "mtb")


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(1000 * statistics.median(times), 3)


def _populate(app, n: int) -> None:
    from routing import Itinerary
    from web.db import SavedItinerary, select
    from web.security import create_token, create_user

    db = app.extensions["bassin_db"]
    create_user(db, "staff", "correct horse battery")
    token = create_token(db, "staff", "bench")
    client = app.test_client()
    for k, (kind, req) in enumerate(PLANS):
        answer = client.post("/api/v1/itineraries", headers={"Authorization": f"Bearer {token}"},
                             json={"name": f"Plan {k}", "kind": kind, "request": req})
        if answer.status_code != 201:
            raise RuntimeError(answer.get_data(as_text=True))
    with db.session() as s:
        seeds = list(s.scalars(select(SavedItinerary)))
        for i in range(n):
            seed = seeds[i % len(seeds)]
            data = Itinerary.from_dict(seed.data)
            data.profile = PROFILES[i % len(PROFILES)] if seed.profile != "bike" else seed.profile
            s.add(SavedItinerary(slug=f"bench-{i}", name=f"Itinéraire {i} des terrils",
                                 description=f"copie {i} de {seed.name}", profile=data.profile,
                                 kind=seed.kind, request=seed.request, data=data.to_dict(),
                                 published=True, author="staff"))
        s.commit()


def _naive(app, args) -> int:
    """The baseline: decode every published itinerary per request, then filter."""
    from routing import Itinerary
    from web.db import SavedItinerary, select

    wanted = set(args.get("practice", "").split(",")) - {""}
    with app.extensions["bassin_db"].session() as s:
        items = [Itinerary.from_dict(i.data) for i in
                 s.scalars(select(SavedItinerary).where(SavedItinerary.published.is_(True)))]
    return sum(1 for it in items if not wanted or it.profile in wanted)


def _weight(client) -> dict:
    html = client.get("/").get_data()
    files = ["/static/vendor/leaflet-1.9.3/leaflet.js", "/static/vendor/leaflet-1.9.3/leaflet.css",
             "/static/style.css", "/static/home.css", "/static/home.js"]
    bodies = {f: client.get(f).get_data() for f in files}
    total = len(html) + sum(map(len, bodies.values()))
    total_gz = len(gzip.compress(html)) + sum(len(gzip.compress(b)) for b in bodies.values())
    return {"html_bytes": len(html), "html_gzip_bytes": len(gzip.compress(html)),
            "with_static_bytes": total, "with_static_gzip_bytes": total_gz}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--itineraries", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--osm", default=str(ROOT.parent / "shared/data/bassin-minier/network.osm"))
    parser.add_argument("--heritage", default=str(ROOT.parent / "shared/data/bassin-minier"))
    options = parser.parse_args(argv)

    import graphs
    import routing
    from web import create_app
    from web.facets import snapshot
    from web.extensions import get_database, get_routing

    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    graph = graphs.build_graph(options.osm, heritage_dir=options.heritage, name="basin")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
                      "INSTANCE_DIR": str(folder / "instance"), "RATELIMIT_ENABLED": False,
                      "BUDGET_SECONDS": None}, router=routing.Router(graph))
    _populate(app, options.itineraries)
    client = app.test_client()
    report = {"itineraries": options.itineraries, "runs": options.runs}
    start = time.perf_counter()
    client.get("/api/v1/portal/itineraries")
    report["facets_cold_s"] = round(time.perf_counter() - start, 3)
    with app.app_context():
        def rebuild():
            app.extensions.pop("bassin_portal", None)
            snapshot(app, get_database(), get_routing().graph)
        report["snapshot_s"] = round(_median_ms(rebuild, 5) / 1000, 3)
    queries = {}
    for query in QUERIES:
        args = dict(p.split("=", 1) for p in query.split("&") if p)
        api = _median_ms(lambda: client.get(f"/api/v1/portal/itineraries?{query}"), options.runs)
        page = _median_ms(lambda: client.get(f"/?{query}"), max(5, options.runs // 3))
        naive = _median_ms(lambda: _naive(app, args), 3)
        queries[query or "(none)"] = {"api_ms": api, "html_ms": page, "decode_all_ms": naive,
                                      "decode_all_over_api": round(naive / api, 1)}
    report["queries"] = queries
    report["page_weight"] = _weight(client)
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
