"""Weight and server-side render time of the itinerary page ``/i/<slug>`` and its embed.

Plans and saves each itinerary in a throwaway SQLite database, then renders the page,
the embed and, as the baseline measured in the same run, the saved itinerary's JSON
(``/api/v1/itineraries/<id>``: the same database read and itinerary decoding, no page).
Prints one JSON object: per itinerary the p50 of each over ``--rounds``, the ratio page /
baseline, the HTML bytes (raw and gzip) and the static files the page loads.

    python benchmarks/itinerary_page.py --graph build/basin \\
        --route 'bike:site:base-11-19;terril:T075;site:louvre-lens' \\
        --stages 'hike:site:base-11-19;site:louvre-lens:2'
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STATIC = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def _p50(client, url: str, rounds: int) -> tuple[float, bytes]:
    times, body = [], b""
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        body = response.data
    return statistics.median(times), body


def measure(app, body: dict, rounds: int) -> dict:
    from web.security import create_token

    client = app.test_client()
    token = create_token(app.extensions["bassin_db"], "bench", "bench")
    bearer = {"Authorization": f"Bearer {token}"}
    item = client.post("/api/v1/itineraries", headers=bearer, json=body).get_json()
    client.post(f"/api/v1/itineraries/{item['id']}/publish",
                headers=dict(bearer, **{"If-Match": f'"v{item["version"]}"'}))
    page_ms, page = _p50(client, f"/i/{item['slug']}?lang=fr", rounds)
    embed_ms, embed = _p50(client, f"/embed/{item['slug']}?lang=fr", rounds)
    json_ms, _ = _p50(client, f"/api/v1/itineraries/{item['id']}", rounds)
    assets = {}
    for path in sorted(set(STATIC.findall(page.decode("utf-8")))):
        data = client.get(path).data
        assets[path] = {"bytes": len(data), "gzip": len(gzip.compress(data))}
    return {"name": body["name"], "kind": body["kind"], "page_ms_p50": round(page_ms, 1),
            "embed_ms_p50": round(embed_ms, 1), "baseline_json_ms_p50": round(json_ms, 1),
            "page_vs_json": round(page_ms / json_ms, 2),
            "page_html": {"bytes": len(page), "gzip": len(gzip.compress(page))},
            "embed_html": {"bytes": len(embed), "gzip": len(gzip.compress(embed))},
            "static": assets,
            "total_gzip": len(gzip.compress(page)) + sum(a["gzip"] for a in assets.values())}


def _body(kind: str, spec: str) -> dict:
    profile, rest = spec.split(":", 1)
    request = {"profile": profile}
    if kind == "stages":
        rest, days = rest.rsplit(":", 1)
        request["days"] = int(days)
    request["points"] = rest
    return {"name": f"{kind} {profile}", "kind": kind, "request": request}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", required=True, help="a compiled graph directory")
    parser.add_argument("--route", action="append", default=[], help="PROFILE:POINTS")
    parser.add_argument("--stages", action="append", default=[], help="PROFILE:POINTS:DAYS")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    import graphs
    import routing
    from web import create_app
    from web.security import create_user

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "INSTANCE_DIR": tmp,
                          "RATELIMIT_ENABLED": False},
                         router=routing.RoutingService(graphs.load_graph(args.graph)))
        create_user(app.extensions["bassin_db"], "bench", "bench-password")
        bodies = [_body("route", s) for s in args.route] + [_body("stages", s) for s in args.stages]
        results = []
        for body in bodies:
            try:
                results.append(measure(app, body, args.rounds))
            except Exception as exc:          # one failing itinerary does not hide the others
                results.append({"name": body["name"], "error": repr(exc)})
        app.extensions["bassin_db"].engine.dispose()
    print(json.dumps({"rounds": args.rounds, "itineraries": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
