"""gunicorn settings, read by ``gunicorn wsgi:app`` from this directory.

``preload_app``: the app (graph, networks, hierarchies, compiled kernels) is built
once in the master, before forking, so workers answer their first request at
once and share the master's pages: the graph arrays are memory-mapped files, and
the Python heap is frozen out of the garbage collector (``gc.freeze`` in
``wsgi.py``) so that collections do not copy it into every worker.
"""
bind = "127.0.0.1:8000"
workers = 2
worker_class = "gthread"
threads = 4
preload_app = True


def post_fork(server, worker):
    """Each worker opens its own database connections (none are shared across a fork)."""
    app = server.app.wsgi()
    app.extensions["bassin_db"].engine.dispose(close=False)
