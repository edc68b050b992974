"""OSM and heritage data -> compiled routing graph with places.

>>> import graphs
>>> g = graphs.build_graph("heidelberg.osm.pbf")          # doctest: +SKIP
>>> graphs.save_graph(g, "build/heidelberg")               # doctest: +SKIP
>>> g = graphs.load_graph("build/heidelberg")              # doctest: +SKIP
"""
from graphs.lazy import lazy_exports

__all__ = [
    "build_graph", "summarize", "load_graph", "save_graph", "read_meta", "CompiledGraph", "Place",
    "Settings", "settings", "BassinRoutesError", "DownloadError", "ElevationError",
    "GraphBuildError", "GraphLoadError", "HeritageError", "OSMInputError",
]

__getattr__ = lazy_exports(__name__, {
    "build_graph": ".build",
    "summarize": ".build",
    "BassinRoutesError": ".errors",
    "DownloadError": ".errors",
    "ElevationError": ".errors",
    "GraphBuildError": ".errors",
    "GraphLoadError": ".errors",
    "HeritageError": ".errors",
    "OSMInputError": ".errors",
    "CompiledGraph": ".graph",
    "Place": ".places",
    "Settings": ".settings",
    "settings": ".settings",
    "load_graph": ".store",
    "read_meta": ".store",
    "save_graph": ".store",
})
