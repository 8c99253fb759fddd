"""Shared fixtures: constructed price series with known answers, and small file trees."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


def sessions(start: str, n: int) -> pd.DatetimeIndex:
    from marketnotes.calendar import nyse

    cal = nyse()
    first = cal.date_to_session(pd.Timestamp(start), direction="next")
    return cal.sessions[cal.sessions.get_loc(first) : cal.sessions.get_loc(first) + n]


def price_frame(closes, start: str = "2024-01-02", highs=None) -> pd.DataFrame:
    idx = sessions(start, len(closes))
    close = np.asarray(closes, dtype=float)
    return pd.DataFrame(
        {
            "open": close,
            "high": close if highs is None else np.asarray(highs, dtype=float),
            "low": close,
            "close": close,
            "adj_close": close,
            "volume": np.full(len(close), 1e6),
        },
        index=idx.rename("date"),
    )


def write_yahoo_csv(path: Path, frame: pd.DataFrame) -> Path:
    out = frame.rename(columns={"open": "Open", "high": "High", "low": "Low", "close": "Close", "adj_close": "Adj Close", "volume": "Volume"})
    out.index.name = "Date"
    out.to_csv(path)
    return path


def run(cmd, *, timeout: float = 180, capture_output: bool = False, text: bool = False, check: bool = False, **kw) -> subprocess.CompletedProcess:
    """`subprocess.run` for tests: always bounded, and on timeout the whole process group
    (kernels, browsers, workers) is killed, not just the first process, before failing."""
    pipe = subprocess.PIPE if capture_output else None
    with subprocess.Popen(cmd, stdout=pipe, stderr=pipe, text=text, start_new_session=True, **kw) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
    if check and proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd, out, err)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def cores() -> Iterator[ProcessPoolExecutor]:
    """A process per core (two at most) for the long editorial sweeps (every Friday, release day
    and month-end of twenty years: ~5 minutes of one core): a module hands its chunks in at
    once and each test waits for its own, so the sweeps cover every day in half the time.
    Spawned, not forked: the suite's process has threads of its own by then. Chunks not yet
    started are dropped at the end (a run stopped by -x or Ctrl-C does not wait for them)."""
    pool = ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1), mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def submit_selected(request, cores: ProcessPoolExecutor, chunks: dict[str, tuple]) -> dict[str, Future]:
    """`chunks` (a call each, `(function, *args)`, by the name of the test of the requesting
    module that waits for it) handed to the cores, those of the tests this run selected only
    (`-k`, a node id): each test then waits for `futures[request.node.name]`."""
    wanted = {item.name for item in request.session.items if item.module is request.module}
    return {name: cores.submit(*call) for name, call in chunks.items() if name in wanted}


@contextmanager
def loopback_server(handler) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 for the duration of a test (recorded feeds, FRED's CSV):
    its base URL; stopped and joined afterwards, so no thread outlives the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
