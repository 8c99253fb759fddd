"""Cutting a run of closes into rises, falls and sideways ranges (positions only, no dates).

`arc.py` tells the story; this module finds its pieces. Turning points come from the same
zigzag as the trend facts (`trend.zigzag`), ranges from `trend.sideways_range`'s narrowness rule tested on
every stretch at once, and the two are reconciled so each piece is worth a clause:
a move into or out of a range turns at its own extreme, moves shorter than three
sessions fold into a neighbour, and a range that leaves only a sliver of a move beside it
is given back to the move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marketnotes.facts.trend import RANGE_NARROWNESS, reversal_threshold, zigzag

MIN_RANGE_CLOSES = 15  # three weeks in a band is the shortest stretch a desk calls "sideways"
MIN_PHASE_SESSIONS = 3
EDGE_SESSIONS = 3  # a range's edge close must sit inside the band of its closes this far in
SNAP_SESSIONS = 2  # how far outside a range the move beside it may turn
RUN_SESSIONS = 5  # how far inside a range an unbroken run may carry a move's turn


@dataclass
class Piece:
    start: int
    end: int
    kind: str  # rise, fall or range
    real: bool  # starts at a confirmed turning point or a range edge, not at the data's edge


def narrow_ranges(prices: np.ndarray) -> list[tuple[int, int]]:
    """Non-overlapping (first, last) positions of stretches that went sideways.

    Sideways is `trend.sideways_range`'s rule, width <= 0.75 * vol * sqrt(n), with the vol of
    the stretch's own daily returns: a random walk moving like that usually wanders wider, so
    a stretch inside it was held in a band, not drifting quietly (a calm grind higher is a
    rise; against the year's vol instead, every quiet stretch before a crash looks narrow).
    Two more conditions keep the moves beside a range out of it: its first and last closes
    are at most half the band apart (top to bottom is a slide, however slow), and each edge
    close lies inside the band of the closes three sessions further in (closes beyond it are
    the tail of the move into the range or the breakout's first days, even if one dips back).

    Every stretch is tested at once on an n x n grid (cheap for a year of closes); the longest
    wins, then the longest of the rest at least three sessions away from it.
    """
    n = len(prices)
    if n < MIN_RANGE_CLOSES:
        return []
    first, last = np.arange(n)[:, None], np.arange(n)[None, :]
    after = last >= first
    hi = np.maximum.accumulate(np.where(after, prices[None, :], -np.inf), axis=1)
    lo = np.minimum.accumulate(np.where(after, prices[None, :], np.inf), axis=1)
    rets = np.concatenate(([0.0], np.diff(prices) / prices[:-1]))  # rets[t]: close t-1 to close t
    s1, s2 = np.cumsum(rets), np.cumsum(rets**2)
    count = last - first  # returns inside a stretch: those of closes first+1 .. last
    total, squares = s1[None, :] - s1[:, None], s2[None, :] - s2[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        vol = np.sqrt(np.clip((squares - total**2 / count) / (count - 1), 0, None))
        ok = (count + 1 >= MIN_RANGE_CLOSES) & (hi / lo - 1 <= RANGE_NARROWNESS * vol * np.sqrt(count + 1))
        ok &= np.abs(np.log(prices[None, :] / prices[:, None])) <= 0.5 * np.log(hi / lo)
    e = EDGE_SESSIONS
    ok[:-e, :] &= (prices[:-e, None] <= hi[e:, :]) & (prices[:-e, None] >= lo[e:, :])
    ok[:, e:] &= (prices[None, e:] <= hi[:, :-e]) & (prices[None, e:] >= lo[:, :-e])
    found = []
    while ok.any():
        a, b = divmod(int(np.where(ok, count * n + last, -1).argmax()), n)  # longest, then latest
        found.append((a, b))
        ok &= (last <= a - MIN_PHASE_SESSIONS) | (first >= b + MIN_PHASE_SESSIONS)
    return sorted(found)


def pieces(prices: np.ndarray, vol: float, window: int) -> list[Piece]:
    """Rises, falls and ranges covering `prices`, oldest first, for an index whose daily returns
    have standard deviation `vol`; only pieces ending after `window` are checked for slivers
    (earlier ones are cut from the arc anyway)."""
    threshold = reversal_threshold(vol)
    pivots = zigzag(prices, threshold)[1]
    ranges = narrow_ranges(prices)
    while True:
        found = _merge(prices, _snap(prices, _cut(prices, pivots, ranges, threshold), vol), threshold)
        weak = _weak_range(prices, found, ranges, threshold, window)
        if weak is None:
            return found
        ranges.remove(weak)


def _direction(prices: np.ndarray, start: int, end: int) -> str:
    return "rise" if prices[end] >= prices[start] else "fall"


def _cut(prices: np.ndarray, pivots: list[int], ranges: list[tuple[int, int]], threshold: float) -> list[Piece]:
    """Moves between turning points with the ranges cut in; turning points inside a range vanish.

    The first zigzag extreme counts as a turning point only if a full reversal led into it:
    otherwise it is just where the data happened to begin.
    """
    real = set(pivots[1:])
    if pivots and pivots[0] > 0:
        k, before = pivots[0], prices[: pivots[0]]
        if prices[k] >= before.min() * (1 + threshold) or prices[k] <= before.max() * (1 - threshold):
            real.add(k)
    edges = {a for a, _ in ranges} | {b for _, b in ranges}
    inside = [p for p in pivots if not any(a < p < b for a, b in ranges)]
    bounds = sorted({0, len(prices) - 1, *inside, *edges})
    return [
        Piece(s, e, "range" if (s, e) in ranges else _direction(prices, s, e), s in real or s in edges)
        for s, e in zip(bounds, bounds[1:], strict=False)
    ]


def _snap(prices: np.ndarray, found: list[Piece], vol: float) -> list[Piece]:
    """Settle each boundary between a range and a move where the move really turned.

    Outside the range: up to two sessions past the edge, at the move's own extreme (the edge
    rule may leave a fall's low, or a rally's base, one close outside). Inside the range only
    along a run: a rally that climbed for several sessions straight, across half the band and
    by two standard deviations, before it broke out (the Dow from the 2016 election) started
    at the run's foot. Never at the lowest close of a band otherwise: that is an accident of
    noise, days before the move.
    """
    for left, right in zip(found, found[1:], strict=False):
        if (left.kind == "range") == (right.kind == "range"):
            continue
        band = left if left.kind == "range" else right
        inside = prices[band.start : band.end + 1]
        half = (inside.max() / inside.min() - 1) / 2
        if left.kind == "range":  # the move starts here
            sign = 1 if right.kind == "rise" else -1
            t = _run_start(prices, left.end, max(left.start + 1, left.end - RUN_SESSIONS), sign, half, vol)
            last = min(right.end - 1, t + SNAP_SESSIONS)
            near = sign * prices[t : last + 1]
            t += int(near.argmin())
        else:  # the move ends here
            sign = 1 if left.kind == "rise" else -1
            first = max(left.start + 1, left.end - SNAP_SESSIONS)
            near = sign * prices[first : left.end + 1]
            t = first + int(near.argmax())
            if t == left.end:
                t = _run_end(prices, t, min(right.end - 1, t + RUN_SESSIONS), sign, half, vol)
        left.end = right.start = t
    return [p for p in found if p.end > p.start]


def _run_start(prices: np.ndarray, t: int, floor: int, sign: int, half: float, vol: float) -> int:
    """The foot of an unbroken run (up for sign 1) ending at t, if it was a move of its own."""
    foot = t
    while foot > floor and sign * (prices[foot] - prices[foot - 1]) > 0:
        foot -= 1
    return foot if _carried(prices[foot], prices[t], t - foot, sign, half, vol) else t


def _run_end(prices: np.ndarray, t: int, ceiling: int, sign: int, half: float, vol: float) -> int:
    """The end of an unbroken run (up for sign 1) starting at t, if it was a move of its own."""
    top = t
    while top < ceiling and sign * (prices[top + 1] - prices[top]) > 0:
        top += 1
    return top if _carried(prices[t], prices[top], top - t, sign, half, vol) else t


def _carried(start: float, end: float, sessions: int, sign: int, half: float, vol: float) -> bool:
    move = sign * (end / start - 1)
    return sessions > 0 and move >= half and move >= 2 * vol * np.sqrt(sessions)


def _merge(prices: np.ndarray, found: list[Piece], threshold: float) -> list[Piece]:
    """Fold moves under three sessions into the piece before (the first into the one after), then
    join neighbours of the same kind. Kept however short: a move past the reversal threshold
    (a two-session crash) and a last move that has already left the band of the range before
    it (today's breakout is the news, not part of the range)."""
    out: list[Piece] = []
    pending = None  # a tiny first move hands its start to the next piece
    for k, p in enumerate(found):
        tiny = p.kind != "range" and p.end - p.start < MIN_PHASE_SESSIONS and abs(prices[p.end] / prices[p.start] - 1) < threshold
        if tiny and k == len(found) - 1 and out and out[-1].kind == "range":
            band = prices[out[-1].start : out[-1].end + 1]
            tiny = band.min() <= prices[p.end] <= band.max()
        if tiny and out:
            out[-1].end = p.end
        elif tiny:
            pending = pending or p
        else:
            if pending:
                p.start, p.real, pending = pending.start, pending.real, None
            out.append(p)
    joined: list[Piece] = []
    for p in out:
        if p.kind != "range":
            p.kind = _direction(prices, p.start, p.end)
        if joined and joined[-1].kind == p.kind:
            joined[-1].end = p.end
        else:
            joined.append(p)
    return joined


def _weak_range(prices: np.ndarray, found: list[Piece], ranges: list[tuple[int, int]], threshold: float, window: int) -> tuple[int, int] | None:
    """The shortest range not worth a phase: snapped below 15 closes, or beside a sliver - a rise
    or fall (not the current one) smaller than half a reversal or than the range's own width.
    "Fell 2.6%, went sideways, fell 21%" is one fall with a pause."""

    def width(p: Piece) -> float:
        inside = prices[p.start : p.end + 1]
        return inside.max() / inside.min() - 1

    weak = [p for p in found if p.kind == "range" and p.end > window and p.end - p.start + 1 < MIN_RANGE_CLOSES]
    for k, p in enumerate(found[:-1]):
        if p.kind == "range" or p.end <= window:
            continue
        move = abs(prices[p.end] / prices[p.start] - 1)
        beside = [found[j] for j in (k - 1, k + 1) if j >= 0 and found[j].kind == "range"]
        weak += [r for r in beside if move < max(threshold / 2, width(r))]
    originals = [r for r in ranges for p in weak if r[0] < p.end and r[1] > p.start]
    return min(originals, key=lambda r: (r[1] - r[0], r[0])) if originals else None
