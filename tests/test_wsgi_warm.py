"""gunicorn's master serves its warm-up requests before forking, seen by no log or metric."""
import json
import os
import subprocess
import sys
from pathlib import Path

import graphs

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import json
import wsgi
from web.metrics import EXTENSION_KEY
metrics = wsgi.app.extensions[EXTENSION_KEY]
counted = sum(s.value for m in metrics.requests.collect() for s in m.samples
              if s.name.endswith("_total"))
again = wsgi.warm_request_paths(wsgi.app)
counted_again = sum(s.value for m in wsgi.app.extensions[EXTENSION_KEY].requests.collect()
                    for s in m.samples if s.name.endswith("_total"))
print(json.dumps({"served": again, "counted": counted, "counted_again": counted_again}))
"""


def test_master_warm_requests_are_served_and_not_counted(tmp_path, fixture_graph):
    graph_dir = graphs.save_graph(fixture_graph, tmp_path / "graph")
    env = dict(os.environ, BASSIN_GRAPH_DIR=str(graph_dir), BASSIN_PROFILES="hike,bike",
               BASSIN_DATABASE_URL=f"sqlite:///{tmp_path / 'web.db'}",
               BASSIN_INSTANCE_DIR=str(tmp_path / "instance"))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    run = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out == {"served": [200, 200, 200], "counted": 0, "counted_again": 0}  # health, 2 routes
    assert "/api/v1/route" not in run.stderr                           # no access-log line
