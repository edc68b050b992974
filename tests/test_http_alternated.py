"""benchmarks/http_alternated.py's launches: each launch's figures kept, ratios' medians."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from http_alternated import launches  # noqa: E402  (benchmarks/ is not a package)


def test_launches_keep_each_run_and_the_median_of_each_ratio():
    runs = iter([{"this_p50_ms": 1.0, "this_vs_other": 0.93, "per_round_ratio": [0.9]},
                 {"this_p50_ms": 1.2, "this_vs_other": 1.11, "per_round_ratio": [1.1]},
                 {"this_p50_ms": 1.1, "this_vs_other": 1.02, "per_round_ratio": [1.0]}])
    out = launches(lambda: next(runs), 3)
    assert [run["this_p50_ms"] for run in out["launches"]] == [1.0, 1.2, 1.1]
    assert out["this_vs_other_median"] == 1.02
    assert set(out) == {"launches", "this_vs_other_median"}
