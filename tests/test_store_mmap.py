"""Compiled graphs are memory-mapped read-only; format-1 graphs still load."""
import json
import shutil

import numpy as np
import pytest

import graphs


def test_arrays_are_mapped_read_only(tmp_path, fixture_graph):
    out = graphs.save_graph(fixture_graph, tmp_path / "g")
    assert (out / "arrays" / "edge_u.npy").is_file() and not (out / "graph.npz").exists()
    graph = graphs.load_graph(out)
    assert graph.meta["format_version"] == 2
    assert isinstance(graph.edge_len.base, np.memmap) and not graph.edge_len.flags.writeable
    with pytest.raises(ValueError):
        graph.edge_len[0] = 1.0              # the shared pages cannot be written
    mapped = graph.arrays()
    for name, array in fixture_graph.arrays().items():
        assert np.array_equal(mapped[name], array, equal_nan=True), name


def test_format_1_graph_still_loads(tmp_path, fixture_graph):
    out = graphs.save_graph(fixture_graph, tmp_path / "g")
    np.savez(out / "graph.npz", **fixture_graph.arrays())
    shutil.rmtree(out / "arrays")
    meta = json.loads((out / "meta.json").read_text())
    (out / "meta.json").write_text(json.dumps(dict(meta, format_version=1)))
    graph = graphs.load_graph(out)
    assert graph.n_edges == fixture_graph.n_edges
    assert np.array_equal(graph.edge_u, fixture_graph.edge_u)
    shutil.rmtree(out / "arrays", ignore_errors=True)
    (out / "graph.npz").unlink()
    with pytest.raises(graphs.GraphLoadError, match="graph.npz"):
        graphs.load_graph(out)
