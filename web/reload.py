"""Hot graph reload under gunicorn: ``kill -HUP <master>`` serves the graph the pointer
names now, with no request failed.

gunicorn answers SIGHUP by forking fresh workers and retiring the old ones gracefully
(they finish what they serve). With ``preload_app`` the app lives in the master and
would be forked unchanged, so :func:`reload_preloaded_app` (gunicorn's ``on_reload``
hook) builds it anew first — graph, networks, warm-up — while the old workers go on
answering. A new graph that cannot be loaded keeps the old app: a bad build never
takes routing down.
"""
from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def reload_preloaded_app(server) -> bool:
    """Rebuild ``server``'s preloaded app; False (old app kept) if the new one has no graph."""
    if not server.cfg.preload_app:
        return True                  # each new worker loads the app itself
    from graphs.store import build_id

    from .app import create_app, warm_up
    from .extensions import EXTENSION_KEY

    old = server.app.callable
    gc.unfreeze()
    try:
        new = create_app()
        state = new.extensions[EXTENSION_KEY]
        if state.service is None:
            log.error("graph reload refused, the old graph stays: %s", state.error)
            new.extensions["bassin_db"].engine.dispose()
            return False
        warm_up(new)
        server.app.callable = new
        if old is not None:
            old.extensions["bassin_db"].engine.dispose()
        log.warning("graph reloaded: build %s", build_id(state.service.graph.meta))
        return True
    finally:
        gc.collect()
        gc.freeze()
