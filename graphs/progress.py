"""Progress bars for long phases (tqdm), quiet when not on a terminal by default."""
from __future__ import annotations

import sys



def progress_bar(enabled: bool | None, **kwargs):
    """A tqdm bar on stderr; ``enabled=None`` shows it on a terminal only."""
    from tqdm import tqdm      # loads with the long work that shows progress, not before

    disable = (not sys.stderr.isatty()) if enabled is None else not enabled
    kwargs.setdefault("leave", False)
    kwargs.setdefault("mininterval", 0.2)
    return tqdm(disable=disable, file=sys.stderr, **kwargs)
