"""Helpers of benchmarks/: http_alternated.py's launches, served_stages.py's summary."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from http_alternated import launches  # noqa: E402  (benchmarks/ is not a package)
from served_stages import STAGES, summary  # noqa: E402


def test_launches_keep_each_run_and_the_median_of_each_ratio():
    runs = iter([{"this_p50_ms": 1.0, "this_vs_other": 0.93, "per_round_ratio": [0.9]},
                 {"this_p50_ms": 1.2, "this_vs_other": 1.11, "per_round_ratio": [1.1]},
                 {"this_p50_ms": 1.1, "this_vs_other": 1.02, "per_round_ratio": [1.0]}])
    out = launches(lambda: next(runs), 3)
    assert [run["this_p50_ms"] for run in out["launches"]] == [1.0, 1.2, 1.1]
    assert out["this_vs_other_median"] == 1.02
    assert set(out) == {"launches", "this_vs_other_median"}


def test_served_stages_summary_splits_places_from_none():
    times = {"whole:places": [[0.0012, 0.0010], [0.0014, 0.0012], [0.0013, 0.0011]],
             "whole:no_places": [[0.0008, 0.0007]],
             "places_along:places": [[0.0003, 0.0002]]}
    out = summary(times)
    assert set(out) == {label for label, _, _ in STAGES}
    assert out["whole"] == {"places_cpu_p50_ms": 1.1, "places_calls": 3,
                            "no_places_cpu_p50_ms": 0.7, "no_places_calls": 1,
                            "difference_ms": 0.4}
    assert out["places_along"]["no_places_cpu_p50_ms"] is None
    assert out["places_along"]["difference_ms"] == 0.2          # runs only with places
    assert out["plan"]["places_cpu_p50_ms"] is None and "difference_ms" not in out["plan"]


def test_served_stages_name_functions_that_exist():
    """A stage renamed in the code would stop the timed server before it listens."""
    import importlib

    for label, module_name, path in STAGES:
        owner = importlib.import_module(module_name)
        for name in path.split("."):
            owner = getattr(owner, name)
        assert callable(owner), label
