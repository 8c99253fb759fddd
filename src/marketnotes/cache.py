"""Where marketnotes keeps what it can fetch or build again: `MARKETNOTES_CACHE`, else
`$XDG_CACHE_HOME/marketnotes` (`~/.cache/marketnotes`). Prices (`yahoo/`), FRED series
(`fred/`), event calendars (`events/`), the compiled phrasebook (`jinja/`) and the built NYSE
trading calendar (`exchange_calendars/`, ~3 MB, rebuilt once a day) each have a folder there;
deleting any of them costs only a fetch, a compile or a build."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    base = os.environ.get("MARKETNOTES_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "marketnotes")
    return Path(base).expanduser()
