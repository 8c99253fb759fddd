"""The Fed funds target as data, for a note that covers an FOMC decision.

The target is three FRED series: DFEDTAR, the single target rate to Dec. 15, 2008 (FRED
keeps it, discontinued), and since Dec. 16, 2008, the range's floor and ceiling, DFEDTARL
and DFEDTARU. All are daily, in percent, and never revised: FRED's latest values are the
ones the Fed announced, so a first-print vintage (ALFRED) would say nothing more here.

They are loaded only when a note covers a decision (facts/policy.decision_in_window) and
through the day after it, when a change takes effect: a cached copy that stops earlier is
fetched again; DFEDTAR, which stops in 2008, is served from any cached copy.
"""

from __future__ import annotations

import pandas as pd

from marketnotes.data.macro import TARGET, TARGET_HIGH, TARGET_LOW, MacroData, MacroSource

LIVE = (TARGET_LOW, TARGET_HIGH)  # still published: loaded through the day a decision takes effect


def with_policy(data: MacroData | None, source: MacroSource, decision: pd.Timestamp | None) -> MacroData | None:
    """`data` plus the target series the source carries, when there is a decision to tell;
    a source without them says so in `lacking` (the note then tells no decision)."""
    if data is None or decision is None:
        return data
    series, lacking = dict(data.series), dict(data.lacking)
    effective = pd.Timestamp(decision) + pd.Timedelta(days=1)
    for sid in (TARGET, *LIVE):
        if not source.carries(sid):
            lacking[sid] = source.lacks_why(sid)
            continue
        series[sid] = source.load(sid, effective if sid in LIVE else None)
    return MacroData(data.source, series, lacking)
