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
    """Each worker opens its own database connections (none are shared across a fork),
    and one at once, so that its first request does not wait for it."""
    app = server.app.wsgi()
    database = app.extensions["bassin_db"]
    database.engine.dispose(close=False)
    database.state()


def on_reload(server):
    """SIGHUP: rebuild the preloaded app on the graph the pointer names now (web.reload)."""
    from web.reload import reload_preloaded_app

    reload_preloaded_app(server)
