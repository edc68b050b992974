"""The layout's rules, read from the source: no import cycles, no private names across
modules, arrows one way (graphs → routing → gpx, web); see benchmarks/import_graph.py."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _analyse():
    spec = importlib.util.spec_from_file_location("import_graph",
                                                  ROOT / "benchmarks" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_cycles_no_private_names_no_upward_imports():
    report = _analyse().analyse(ROOT)
    assert report["modules"] > 100                 # it did read the packages
    assert report["cycles"] == []
    assert report["deferred_cycles"] == []
    assert report["private"] == []
    assert report["upward"] == []


def test_the_checker_sees_a_cycle_and_a_private_import(tmp_path):
    checker = _analyse()
    for pkg in checker.PACKAGES:
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
    (tmp_path / "web" / "a.py").write_text("from .b import _secret\n")
    (tmp_path / "web" / "b.py").write_text("def f():\n    from . import a\n_secret = 1\n")
    (tmp_path / "graphs" / "x.py").write_text("import routing.y\n")
    (tmp_path / "routing" / "y.py").write_text("from graphs import x\n")
    report = checker.analyse(tmp_path)
    assert report["cycles"] == [["graphs.x", "routing.y"]]
    assert report["deferred_cycles"] == [["web.a", "web.b"]]
    assert report["private"] == ["web.a:1 imports web.b._secret"]
    assert report["upward"] == ["graphs.x:1 imports routing.y"]
