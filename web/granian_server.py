"""``python -m web.granian_server``: the service under granian (a Rust HTTP server, WSGI
on a pool of Python threads), preloaded as ``gunicorn.conf.py`` preloads it.

Run from the repository root, like ``gunicorn wsgi:app``: ``wsgi.py`` builds the app,
warms it up and serves its warm-up requests in this (master) process before anything
listens (:func:`wsgi.warm_request_paths`, ``gc.freeze``); granian then binds the
socket and forks its workers, which take the built app as they find it (no second
build: the first request is answered at once) and each open their own database
connection, as gunicorn's ``post_fork`` does.

Why: the HTTP/1.1 parsing, keep-alive and writing happen in Rust, not in Python. On one
loopback keep-alive client with a 21 kB body, granian costs 0.06 ms of server CPU per
request where gunicorn ``gthread`` costs 0.22 (benchmarks/README.md). What granian
does not do here: gunicorn's SIGHUP rebuild on a new graph (``web.reload``; restart
granian instead), and each worker is a fork of the master (the ``fork`` start method).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os

#: Defaults as ``gunicorn.conf.py`` deploys: address, workers and threads per worker.
HOST, PORT, WORKERS, THREADS = "127.0.0.1", 8000, 2, 4
#: CGI names a request sets itself (PEP 3333); granian puts the rest of its own process
#: environment into every request's environ, under the request's keys.
REQUEST_KEYS = frozenset({"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING",
                          "CONTENT_TYPE", "CONTENT_LENGTH", "SERVER_NAME", "SERVER_PORT",
                          "SERVER_PROTOCOL", "REMOTE_ADDR", "REMOTE_PORT"})


class ProcessEnvironFilter:
    """WSGI middleware: the request's environ without the server's process environment.

    granian starts every request's environ from a copy of ``os.environ``: the app's
    secrets (``BASSIN_SECRET_KEY``, a database URL) would travel with each request,
    and a variable named like a header (``HTTP_PROXY``) would pass for one the client
    sent. This drops every variable of the process environment that is not one of the
    request's own CGI keys, and the ``HTTP_*`` ones still holding the process's value.
    """

    def __init__(self, app, process_environ):
        self.app = app
        self.extensions = getattr(app, "extensions", {})
        leaked = {k: v for k, v in process_environ.items() if k not in REQUEST_KEYS}
        #: dropped whatever they hold: no client sends such a name
        self.dropped = frozenset(k for k in leaked if not k.startswith("HTTP_"))
        #: dropped while they hold the process's value (else the client sent that header)
        self.headers = tuple((k, v) for k, v in leaked.items() if k.startswith("HTTP_"))

    def __call__(self, environ, start_response):
        # the names found in one C-level pass, not one lookup each from Python (a shell's
        # environment has dozens: ≈ 5 µs a request)
        for key in self.dropped.intersection(environ):
            del environ[key]
        for key, value in self.headers:
            if environ.get(key) == value:
                del environ[key]
        return self.app(environ, start_response)


def worker_app(target: str):
    """The app a forked worker serves (granian's target loader, called in the worker):
    the master's, with a database connection of the worker's own."""
    import wsgi

    database = wsgi.app.extensions["bassin_db"]
    database.engine.dispose(close=False)       # the master's connections are not shared
    database.state()
    return ProcessEnvironFilter(wsgi.app, os.environ)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS, help="WSGI threads per worker")
    args = parser.parse_args(argv)

    import wsgi  # noqa: F401  (builds and warms the app here, before the socket is bound)
    from granian import Granian
    from granian.constants import Interfaces

    # Workers must be forks of this process (the built app); spawn would build it again.
    multiprocessing.set_start_method("fork", force=True)
    server = Granian("wsgi:app", address=args.host, port=args.port, interface=Interfaces.WSGI,
                     workers=args.workers, blocking_threads=args.threads, websockets=False,
                     log_access=False)
    server.serve(target_loader=worker_app)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
