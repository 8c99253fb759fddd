"""A small registry of price sources. Built-ins register exactly as a user's source would:

    from marketnotes.data import PriceSource, register_source

    @register_source
    class MyVendor(PriceSource):
        name = "myvendor"
        class Options(PriceSource.Options):
            api_key_env: str = "MYVENDOR_KEY"
        def load(self, symbol, end): ...

A params file then says `source: myvendor` with `source_options:` validated by `Options`.
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from marketnotes.errors import ParamsError, UnknownSource

_SOURCES: dict[str, type[PriceSource]] = {}


class PriceSource:
    """Loads one symbol's checked daily history, at least through `end` where it exists.

    A source may return sessions after `end` (a file holds what it holds); `load_prices`
    cuts every frame at the settled as-of session.
    """

    name: ClassVar[str] = ""

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, options: PriceSource.Options, offline: bool = False):
        self.options = options
        self.offline = offline

    def load(self, symbol: str, end: pd.Timestamp) -> pd.DataFrame:  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self) -> str:
        return self.name

    def history_complete(self, symbol: str) -> bool:
        """Whether this source's history for `symbol` starts where the index starts.

        Only then may a note call a close a "record" or "all-time high"; otherwise it says
        "its highest close in data going back to ...". Sources say nothing unless they know.
        """
        return False


def register_source(cls: type[PriceSource]) -> type[PriceSource]:
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a `name`")
    _SOURCES[cls.name] = cls
    return cls


def known_sources() -> list[str]:
    return sorted(_SOURCES)


def make_source(name: str, options: dict, offline: bool = False) -> PriceSource:
    try:
        cls = _SOURCES[name]
    except KeyError:
        raise UnknownSource(name, known_sources()) from None
    try:
        opts = cls.Options.model_validate(options or {})
    except ValidationError as exc:
        problems = [
            f"source_options.{'.'.join(map(str, e['loc']))}: "
            + ("unknown option" if e["type"] == "extra_forbidden" else e["msg"])
            for e in exc.errors()
        ]
        raise ParamsError(f"source {name!r}", problems) from None
    return cls(opts, offline=offline)
