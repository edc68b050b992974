"""gunicorn settings, read by ``gunicorn wsgi:app`` from this directory.

``preload_app``: the app (graph, networks, hierarchies, compiled kernels) is built
once in the master, before forking, so workers answer their first request at
once and share the master's pages: the graph arrays are memory-mapped files, and
the Python heap is frozen out of the garbage collector (``gc.freeze`` in
``wsgi.py``) so that collections do not copy it into every worker, after the master
has served the requests workers serve most (``wsgi.warm_request_paths``), so that the
code they run is specialised, and their lazy state built, in shared pages.
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
    """SIGHUP: rebuild the preloaded app on the graph the pointer names now (web.reload),
    and serve its warm-up requests before the new workers fork (as ``wsgi.py`` does)."""
    import gc
    import sys

    from web.reload import reload_preloaded_app

    entry = sys.modules.get("wsgi")          # the app module, when it is ours (never imported here)
    if reload_preloaded_app(server) and server.cfg.preload_app and entry is not None:
        entry.warm_request_paths(server.app.callable)
        gc.freeze()
