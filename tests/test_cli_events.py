"""`marketnotes events` as a user meets it: real subprocesses against the recorded official
sources served by a real HTTP server on 127.0.0.1 (never the network), the one-line errors and
exit codes, and a rendered note before and after its calendar is brought up to date."""

import re
import socket
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import loopback_server, run as bounded_run
from test_events_calendar import short_cache
from marketnotes.render.sources import bare

DATA = Path(__file__).parent / "data" / "events"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output to the test's own
        pass


@pytest.fixture
def served():
    """tests/data/events over HTTP on 127.0.0.1, as the BLS and the Fed would serve them."""
    with loopback_server(partial(_Quiet, directory=str(DATA))) as url:
        yield url


def mn(tmp_path, *args, timeout=60):
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MARKETNOTES_CACHE": str(tmp_path / "cache"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc = bounded_run([sys.executable, "-m", "marketnotes", *args], capture_output=True, text=True, env=env, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def test_update_from_the_recorded_feeds_fills_the_cache_and_show_says_so(tmp_path, served):
    code, out, err = mn(tmp_path, "events", "update", "--from", f"{served}/bls-2018-2019.ics")
    assert code == 0, err
    assert f"cpi: 24 dates 2018-01-12 .. 2019-12-11 from the BLS iCalendar feed at {served}/bls-2018-2019.ics" in out
    assert f"the calendar now ends with the November CPI on 2026-12-10 (cache: {tmp_path}/cache/events/cpi.json)" in out
    code, out, err = mn(tmp_path, "events", "update", "fomc", "--from", f"{served}/fomccalendars-2018-2019.htm")
    assert code == 0 and "fomc: 17 dates 2018-01-31 .. 2019-12-11 from the Federal Reserve FOMC calendar page" in out, err

    code, out, err = mn(tmp_path, "events", "show", "--as-of", "2018-12-21")
    assert code == 0, err
    assert re.search(rf"source +cache {tmp_path}/cache/events/cpi.json, fetched \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC from {served}/bls-2018-2019.ics", out)
    assert "next      2019-01-11 December CPI · 2019-02-13 January CPI · 2019-03-12 February CPI  (after 2018-12-21)" in out
    assert "next      2019-01-30 FOMC decision · 2019-03-20 FOMC decision · 2019-05-01 FOMC decision" in out
    assert "ends      2026-12-10 with the November CPI" in out  # the bundled calendar beyond the feed's dates

    code, out, err = mn(tmp_path, "events", "show", "cpi", "--as-of", "2026-12-18", "--next", "2")
    assert code == 0 and "fomc" not in out, err
    assert "next      none after 2026-12-18" in out
    assert "ends      2026-12-10 with the November CPI; run `marketnotes events update`" in out


def test_show_without_a_cache_names_the_bundled_calendar(tmp_path):
    code, out, err = mn(tmp_path, "events", "show", "--as-of", "2018-12-21", "--next", "1")
    assert code == 0, err
    assert "source    bundled with marketnotes" in out and "known     1999-01-14 .. 2026-12-10" in out
    assert "next      2019-01-11 December CPI  (after 2018-12-21)" in out
    assert "next      2019-01-30 FOMC decision  (after 2018-12-21)" in out
    code, out, err = mn(tmp_path, "events", "show", "cpi", "--as-of", "2026-11-20")
    assert code == 0 and "ends      2026-12-10 with the November CPI; 20 days away: run `marketnotes events update` to extend it" in out, err


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("args, code, says", [
    (["update", "--from", "{served}/missing.ics"], 3, "{served}/missing.ics: HTTP 404 File not found"),
    (["update", "--from", "{served}/bls-no-cpi.ics"], 3, "no CPI release date in the iCalendar feed (4 events, none of them a Consumer Price Index release)"),
    (["update", "--from", "{served}/README.md"], 3, "neither an iCalendar feed nor a BLS or Federal Reserve schedule page"),
    (["update", "cpi", "--from", "{served}/fomccalendars-2018-2019.htm"], 3, "holds the fomc calendar, not the cpi one"),
    (["update", "--from", "http://127.0.0.1:{closed}/bls.ics"], 3, "unreachable ([Errno 111] Connection refused); check the address and the connection, or pass --from a saved copy"),
    (["update", "--from", "{tmp}/nope.ics"], 2, "{tmp}/nope.ics: no such file"),
    (["update", "--from", "ftp://example.org/bls.ics"], 2, "unsupported URL scheme 'ftp'"),
    (["update", "--offline", "--from", "{served}/bls-2018-2019.ics"], 2, "offline, so not fetched"),
    (["update", "--offline"], 2, "--offline: the calendars are fetched from https://www.bls.gov/schedule/news_release/bls.ics and"),
    (["update", "cpi", "fomc", "--from", "{served}/bls-2018-2019.ics"], 2, "--from: reads one calendar"),
    (["show", "gdp"], 2, "gdp: not a calendar marketnotes keeps; name cpi or fomc"),
    (["show", "--as-of", "yesterday"], 2, "--as-of yesterday: expected YYYY-MM-DD"),
])
def test_a_bad_source_is_one_error_line_and_leaves_the_cache_alone(tmp_path, served, args, code, says):
    short_cache(tmp_path / "cache" / "events", "cpi", "2018-12-12")
    before = (tmp_path / "cache" / "events" / "cpi.json").read_bytes()
    fill = {"served": served, "closed": _closed_port(), "tmp": tmp_path}
    got, out, err = mn(tmp_path, "events", *(a.format(**fill) for a in args))
    assert (got, out) == (code, ""), err
    assert err.count("\n") == 1 and err.startswith("error: ") and says.format(**fill) in err, err
    assert (tmp_path / "cache" / "events" / "cpi.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "cache" / "events").iterdir()) == ["cpi.json"]


def test_a_cache_that_cannot_be_written_is_one_error_line(tmp_path):
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    code, out, err = mn(tmp_path, "events", "update", "--from", str(DATA / "bls-2018-2019.ics"))
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and err.startswith(f"error: {tmp_path}/cache/events: cannot write the calendar cache ("), err


@pytest.mark.slow
def test_a_note_past_its_calendar_says_so_and_an_update_brings_the_next_release(tmp_path, served, repo):
    short_cache(tmp_path / "cache" / "events", "cpi", "2018-11-14")  # a calendar that has run out
    # a note the Friday before the November CPI: a release due within the week is one to watch
    render = ["render", str(repo / "params" / "demo.yaml"), "--as-of", "2018-12-07", "--format", "html", "--output-dir", str(tmp_path / "out")]
    note = tmp_path / "out" / "2018-12-07" / "demo" / "note.html"

    code, out, err = mn(tmp_path, *render, timeout=300)
    assert code == 0, err
    html = note.read_text()
    assert "The next CPI release date is not in the calendar, which ends with the" in html
    assert '<span data-fact="cpi.calendar.end" data-fmt="date">Nov. 14</span>; run <code>marketnotes events update</code>.' in bare(html)
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: the CPI calendar ends with the October CPI on 2018-11-14, so a note after it names no next date; run `marketnotes events update`"]
    assert "Traceback" not in err

    code, out, err = mn(tmp_path, "events", "update", "--from", f"{served}/bls-2018-2019.ics")
    assert code == 0, err

    code, out, err = mn(tmp_path, *render, timeout=300)
    assert code == 0, err
    html = note.read_text()
    assert "not in the calendar" not in html and "warning:" not in err
    assert re.search(r'The <span data-fact="cpi.next.label" data-fmt="event">November CPI</span> release is due <span data-fact="cpi.next.date" data-fmt="date">Dec. 12</span>.', bare(html))
