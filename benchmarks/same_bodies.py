"""Check that a change to the web layer changes no served byte: save, then compare.

Asks the app (Flask's test client: no server) for ``/api/v1/route`` GeoJSON over the
same pairs in French and in English, hike and bike, with and without ``corridor_m``,
once with :mod:`web.fast_route` and once without it, and records a SHA-256 of each
answer's status and body (``--parsed``: of its parsed JSON, keys sorted, so that a
change of key order alone differs in nothing). ``--check`` asks again and counts the answers that differ
from the saved ones, and those where the fast path and Flask's path disagree. What
:mod:`benchmarks.same_answers` does for the routing, for the document served.

    python benchmarks/same_bodies.py --graph build/heidelberg --save /tmp/bodies.json
    # ... change the code ...
    python benchmarks/same_bodies.py --graph build/heidelberg --check /tmp/bodies.json
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402

from route_scaling import query_pairs  # noqa: E402


def route_queries(graph, count: int, seed: int) -> list[str]:
    """Route URLs: ``count`` hike pairs, a third of them again by bike, a sixth of them
    again with ``corridor_m``."""
    from web.bench import route_urls

    urls = route_urls(query_pairs(graph, count, seed), "hike")
    urls += [u.replace("profile=hike", "profile=bike") for u in urls[:count // 3]]
    return urls + [u + "&corridor_m=300" for u in urls[:count // 6]]


def body_digest(body: bytes, parsed: bool) -> str:
    """SHA-256 of a body, or of its JSON with keys sorted (``parsed``; a body that is not
    JSON as it is)."""
    if parsed:
        try:
            body = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
        except orjson.JSONDecodeError:
            pass
    return hashlib.sha256(body).hexdigest()


def served_digests(graph_dir: Path, urls: list[str], parsed: bool = False) -> tuple[dict, int]:
    """``{"lang url": "status sha256"}`` of every answer, and how many answers differ
    between the fast path and Flask's."""
    from web import create_app

    got: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fast in (True, False):
            app = create_app({"GRAPH_DIR": str(graph_dir), "PROFILES": ["hike", "bike"],
                              "INSTANCE_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/b.db",
                              "LOG_FORMAT": "none", "FAST_ROUTE": fast})
            client = app.test_client()
            for lang in ("fr", "en"):
                for url in urls:
                    answer = client.get(url, headers={"Accept-Language": lang})
                    digest = f"{answer.status_code} {body_digest(answer.data, parsed)}"
                    got.setdefault(f"{lang} {url}", set()).add(digest)
    disagree = sum(len(d) > 1 for d in got.values())
    return {key: sorted(digests)[0] for key, digests in got.items()}, disagree


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path)
    mode.add_argument("--check", type=Path)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--parsed", action="store_true",
                        help="compare parsed JSON (key order aside), not bytes")
    args = parser.parse_args(argv)
    os.environ.setdefault("BASSIN_LOG_FORMAT", "none")
    from graphs.store import load_graph

    urls = route_queries(load_graph(args.graph), args.pairs, args.seed)
    digests, disagree = served_digests(args.graph, urls, args.parsed)
    if args.save:
        args.save.write_text(json.dumps(digests))
        out = {"answers": len(digests), "fast_vs_flask_differ": disagree}
    else:
        saved = json.loads(args.check.read_text())
        differ = sorted(k for k in saved if digests.get(k) != saved[k])
        out = {"answers": len(saved), "differ": len(differ), "fast_vs_flask_differ": disagree,
               "first_differing": differ[:5]}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
