"""Shared fixtures: the real data in ../shared/data, read in place, and built graphs."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path(*parts: str) -> Path:
    """A file of ../shared/data; skip when absent (fresh clone), fail in CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the shared data file {path} is missing")
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build (once per session) and save a graph; returns a loader by name."""
    import graphs

    cache: dict = {}
    specs = {
        "heidelberg": dict(osm=("osm", "heidelberg.osm.pbf")),
        "liechtenstein": dict(osm=("osm", "liechtenstein.osm.pbf")),
        "andorra": dict(osm=("osm", "andorra.osm.pbf"), dem_dir=("dem",)),
        "krems": dict(osm=("osm", "krems.osm.gz")),
        "basin": dict(osm=("bassin-minier", "network.osm"), heritage_dir=("bassin-minier",)),
    }

    def get(name: str):
        if name not in cache:
            kwargs = {k: shared_path(*v) for k, v in specs[name].items()}
            graph = graphs.build_graph(name=name, **kwargs)
            out = graphs.save_graph(graph, tmp_path_factory.mktemp("graphs") / name)
            cache[name] = (graphs.load_graph(out), out)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def fixture_graph():
    import graphs

    return graphs.build_graph(FIXTURES / "tag_rules.osm", name="fixture")


@pytest.fixture(scope="session")
def router_for(built):
    """A Router per real graph, shared by the session."""
    import routing

    routers: dict = {}

    def get(name: str):
        if name not in routers:
            routers[name] = routing.Router(built(name)[0])
        return routers[name]

    return get


@pytest.fixture(scope="session")
def fixture_router(fixture_graph):
    import routing

    return routing.Router(fixture_graph)
