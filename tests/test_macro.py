"""Economic series as data (data/macro.py, data/fred.py) and the facts read from them
(facts/readings.py): FRED served from a recorded answer on 127.0.0.1 by a real HTTP server,
never the network; the cache and --offline; a user's CSV; the bundled sample (core only);
no look-ahead past the release's reference month; the vintage in facts and manifest."""

from __future__ import annotations

import json
import socket
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from conftest import loopback_server, run as bounded_run
from marketnotes.data.macro import CORE, CPI_SERIES, HEADLINE, MacroData, Series, load_series, macro_choice, make_macro_source, read_series_csv
from marketnotes.errors import CorruptData, ParamsError, SeriesCacheMiss, SourceUnavailable, UnknownSeries
from marketnotes.events import load_events
from marketnotes.facts.readings import add_reading_facts, release_in_window, streak
from marketnotes.facts.table import FactTable
from marketnotes.params import validate

FRED = Path(__file__).parent / "data" / "fred"


def fetched_today(load):
    """What `load()` returns and the vintage it must carry: FRED's latest as fetched today,
    by UTC, whichever side of midnight the fetch fell (CI runs at any hour)."""
    before = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")
    data = load()
    after = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")
    fetched = data.get(CORE).fetched[:10]
    assert fetched in (before, after)
    return data, f"FRED latest, as fetched on {fetched}"


class FredLike(BaseHTTPRequestHandler):
    """/graph/fredgraph.csv?id=ID answers tests/data/fred/ID.csv as FRED would; an unknown id
    is a 404; `HTMLPAGE` answers a web page, `BROKEN` a server error."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        sid = parse_qs(url.query).get("id", [""])[0]
        self.hits.append(sid)
        if url.path != "/graph/fredgraph.csv":
            return self._send(404, b"not found", "text/plain")
        if sid == "HTMLPAGE":
            return self._send(200, b"<!DOCTYPE html><html><body>Error</body></html>", "text/html")
        if sid == "BROKEN":
            return self._send(503, b"down", "text/plain")
        path = FRED / f"{sid}.csv"
        if not path.exists():
            return self._send(404, b"Series not found", "text/plain")
        return self._send(200, path.read_bytes(), "text/csv")

    def _send(self, code: int, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fred():
    FredLike.hits = []
    with loopback_server(FredLike) as url:
        yield f"{url}/graph/fredgraph.csv"


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/graph/fredgraph.csv"


def fred_source(url, cache, offline=False, **extra):
    return make_macro_source("fred", {"url": url, "cache_dir": str(cache), "timeout": 5, **extra}, offline)


# -- FRED, its cache and --offline ------------------------------------------------------------


def test_fred_fetches_once_caches_beside_prices_and_records_its_vintage(fred, tmp_path):
    source = fred_source(fred, tmp_path / "fred")
    data, vintage = fetched_today(lambda: load_series(source, CPI_SERIES.values(), through=pd.Timestamp("2018-01-01")))
    core, head = data.get(CORE), data.get(HEADLINE)
    assert source.calls == 2 and FredLike.hits == [CORE, HEADLINE]
    assert core.values.loc["2018-01-01"] == 255.287 and core.values.index[0] == pd.Timestamp("1957-01-01")
    assert head.values.index[0] == pd.Timestamp("2013-01-01")  # FRED's "." month is left out
    assert core.vintage == vintage and head.vintage == vintage
    cached = json.loads((tmp_path / "fred" / "CPILFESL.json").read_text())
    assert cached["url"] == f"{fred}?id=CPILFESL" and cached["csv"].startswith("observation_date,CPILFESL\n")
    assert data.manifest()["series"]["CPILFESL"]["vintage"] == vintage
    assert data.manifest()["series"]["CPILFESL"]["last"] == "2018-11" and data.lacking == {}

    again = fred_source(closed_url(), tmp_path / "fred")  # the cache holds January 2018: no request at all
    assert again.load(CORE, pd.Timestamp("2018-01-01")).values.equals(core.values) and again.calls == 0
    assert again.load(CORE, None).vintage == core.vintage


def test_the_default_cache_is_beside_the_price_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("MARKETNOTES_CACHE", str(tmp_path / "c"))
    assert make_macro_source("fred", {}).folder == tmp_path / "c" / "fred"


def test_offline_serves_the_cache_and_names_what_it_lacks(fred, tmp_path):
    with pytest.raises(SeriesCacheMiss) as err:
        fred_source(fred, tmp_path / "fred", offline=True).load(CORE, pd.Timestamp("2018-01-01"))
    assert "CPILFESL: offline, and the cache" in str(err.value) and "lacks the series" in str(err.value)
    assert FredLike.hits == []
    fred_source(fred, tmp_path / "fred").load(CORE, pd.Timestamp("2018-01-01"))
    offline = fred_source(fred, tmp_path / "fred", offline=True)
    assert offline.load(CORE, pd.Timestamp("2018-11-01")).values.index[-1] == pd.Timestamp("2018-11-01")
    with pytest.raises(SeriesCacheMiss, match=r"lacks December 2018 \(it holds through November 2018\)"):
        offline.load(CORE, pd.Timestamp("2018-12-01"))
    assert FredLike.hits == [CORE] and offline.calls == 0


def test_a_cache_without_the_month_is_fetched_again_whole(fred, tmp_path):
    folder = tmp_path / "fred"
    folder.mkdir()
    old = "observation_date,CPILFESL\n2017-11-01,1.0\n2017-12-01,2.0\n"
    (folder / "CPILFESL.json").write_text(json.dumps({"series": CORE, "url": "x", "fetched": "2018-01-20T00:00:00+00:00", "csv": old}))
    source = fred_source(fred, folder)
    assert source.load(CORE, pd.Timestamp("2017-12-01")).values.iloc[-1] == 2.0 and source.calls == 0
    fresh = source.load(CORE, pd.Timestamp("2018-01-01"))
    assert source.calls == 1 and fresh.values.loc["2017-12-01"] == 254.398  # revised values replace the old copy
    (folder / "CPILFESL.json").write_text("{not json")
    with pytest.raises(CorruptData, match="cache file unreadable"):
        source.load(CORE, None)


def test_bad_series_and_bad_answers_are_typed_errors(fred, tmp_path):
    source = fred_source(fred, tmp_path / "fred")
    with pytest.raises(UnknownSeries, match=r"unknown series 'NOSUCHSERIES' for macro source 'fred': FRED has no such series \(HTTP 404"):
        source.load("NOSUCHSERIES")
    with pytest.raises(UnknownSeries, match="FRED answered without a CSV of it"):
        source.load("HTMLPAGE")
    with pytest.raises(UnknownSeries, match="not a FRED series id"):
        source.load("cpi&x=1")
    with pytest.raises(SourceUnavailable, match="HTTP 503") as err:
        source.load("BROKEN")
    assert err.value.transient
    with pytest.raises(SourceUnavailable, match="network error") as err:
        fred_source(closed_url(), tmp_path / "other").load(CORE)
    assert err.value.transient and not list((tmp_path / "fred").glob("*.json"))
    with pytest.raises(ParamsError, match="unknown macro source 'nope'; known: csv, fred, sample, or none"):
        make_macro_source("nope", {})
    with pytest.raises(ParamsError, match="macro_options.retries: unknown option"):
        make_macro_source("fred", {"retries": 3})


def mn(tmp_path, *args):
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MARKETNOTES_CACHE": str(tmp_path / "cache")}
    proc = bounded_run([sys.executable, "-m", "marketnotes", *args], capture_output=True, text=True, env=env, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def cpi_params(tmp_path, repo, **extra) -> Path:
    import yaml

    raw = yaml.safe_load((repo / "params" / "cpi-reaction.yaml").read_text())
    raw.update(as_of="2018-02-14", **extra)
    path = tmp_path / "cpi.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_the_cli_states_the_reading_from_fred_and_fails_in_one_line(fred, tmp_path, repo):
    params = cpi_params(tmp_path, repo, macro="fred", macro_options={"url": fred})
    code, out, err = mn(tmp_path, "facts", str(params))
    assert code == 0, err
    text = " ".join(out.split())
    assert "the January CPI report showed core consumer prices up 0.3%, above the" in text  # to a tenth, as BLS publishes it
    assert "Core prices were 1.8% higher than a year earlier. With food and energy included, prices were" in text  # the headline: FRED has it, the sample does not
    code, out, err = mn(tmp_path, "facts", str(params), "--offline")  # the cache serves it now
    assert code == 0 and "January CPI report showed core consumer prices up 0.3%" in " ".join(out.split()), err

    code, out, err = mn(tmp_path / "cold", "facts", str(params), "--offline")
    assert code == 3 and err.startswith("error: CPILFESL: offline, and the cache") and len(err.strip().splitlines()) == 1, err
    params = cpi_params(tmp_path, repo, macro="fred", macro_options={"url": fred.replace("fredgraph.csv", "nothing-here.csv")})
    code, out, err = mn(tmp_path / "fresh", "facts", str(params))
    assert code == 3 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("error: unknown series 'CPILFESL' for macro source 'fred': FRED has no such series (HTTP 404"), err


# -- the bundled sample and a user's CSV ------------------------------------------------------


def test_the_sample_has_core_only_and_says_so():
    data = load_series(make_macro_source("sample", {}), CPI_SERIES.values())
    assert list(data.series) == [CORE] and data.lacking == {HEADLINE: "the bundled sample has core CPI (CPILFESL) and the Fed funds target only"}
    core = data.get(CORE)
    assert (core.values.index[0], core.values.index[-1], len(core.values)) == (pd.Timestamp("1957-01-01"), pd.Timestamp("2018-11-01"), 743)
    assert "FRED latest" in core.vintage and "November 2018" in core.vintage
    with pytest.raises(UnknownSeries, match="the bundled sample has core CPI"):
        make_macro_source("sample", {}).load(HEADLINE)


def test_a_users_csv_in_each_layout(tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    (folder / "CPILFESL.csv").write_text((FRED / "CPILFESL.csv").read_text())  # a FRED download as it comes
    data = load_series(make_macro_source("csv", {"path": str(folder)}), CPI_SERIES.values())
    assert list(data.series) == [CORE] and "no CPIAUCSL.csv" in data.lacking[HEADLINE]
    assert data.get(CORE).vintage.startswith("user file CPILFESL.csv, modified ")

    plain = tmp_path / "core.csv"
    plain.write_text("date,value\n2017-12-01,100\n2018-01-01,100.5\n")
    one = load_series(make_macro_source("csv", {"path": str(plain)}), CPI_SERIES.values())
    assert one.get(CORE).values.tolist() == [100.0, 100.5] and HEADLINE in one.lacking
    with pytest.raises(UnknownSeries, match="has no CPILFESL column"):
        load_series(make_macro_source("csv", {"path": str(plain), "series": HEADLINE}), CPI_SERIES.values())
    with pytest.raises(UnknownSeries, match="does not exist"):
        load_series(make_macro_source("csv", {"path": str(tmp_path / "missing.csv")}), CPI_SERIES.values())
    with pytest.raises(ParamsError, match="macro_options.path: Field required"):
        make_macro_source("csv", {})

    both = tmp_path / "both.csv"
    both.write_text("date,CPILFESL,CPIAUCSL\n2017-12-01,100,90\n2018-01-01,100.5,.\n")
    two = load_series(make_macro_source("csv", {"path": str(both)}), CPI_SERIES.values())
    assert two.get(HEADLINE).values.tolist() == [90.0] and two.get(CORE).values.tolist() == [100.0, 100.5]


@pytest.mark.parametrize("text, problem", [
    ("date,value\n2018-01-15,1\n", "not the first of a month"),
    ("date,value\n2018-02-01,1\n2018-01-01,1\n", "out of date order"),
    ("date,value\n2018-01-01,1\n2018-01-01,2\n", "duplicate month"),
    ("date,value\n2018-01-01,abc\n", "non-numeric value 'abc'"),
    ("date,value\nJan 2018,1\n", "unreadable date 'Jan 2018'"),
    ("when,value\n2018-01-01,1\n", "has no date column"),
    ("date,value\n2018-01-01,0\n", "non-positive value"),
])
def test_a_bad_series_file_is_refused_naming_the_problem(text, problem):
    with pytest.raises(CorruptData, match=problem):
        read_series_csv(text, CORE, "x.csv", "value")


# -- params --------------------------------------------------------------------------------------


def base_params(**extra):
    return {"indices": [{"symbol": "^GSPC", "label": "S&P 500"}], **extra}


def test_params_choose_the_macro_source_and_default_it_from_the_prices():
    assert macro_choice(validate(base_params(), "t")) == "sample"
    assert macro_choice(validate(base_params(source="yahoo"), "t")) == "fred"
    assert macro_choice(validate(base_params(source="csv", source_options={"path": "x"}), "t")) == "none"  # your files reach no network unasked
    assert macro_choice(validate(base_params(source="csv", macro="fred"), "t")) == "fred"
    assert macro_choice(validate(base_params(macro="my-vendor"), "t")) == "my-vendor"  # a registered source
    assert validate(base_params(macro="csv", macro_options={"path": "cpi.csv"}), "t").macro_options == {"path": "cpi.csv"}
    with pytest.raises(ParamsError, match=r"field 'macro': expected sample, fred, csv, none or the name of a registered macro source \(got 'FRED!'\)"):
        validate(base_params(macro="FRED!"), "t")
    with pytest.raises(ParamsError, match="unknown field 'macro_option'"):
        validate(base_params(macro_option={}), "t")


# -- facts from the reading ------------------------------------------------------------------------


def series_of(values: dict[str, float], sid=CORE) -> Series:
    s = pd.Series(values, dtype=float)
    s.index = pd.DatetimeIndex(s.index)
    return Series(sid, s, "test", "test vintage")


def events_of(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"date": pd.Timestamp(d), "label": "x CPI", "kind": "cpi", "reference": ref} for d, ref in rows])


def readings(macro, events, day) -> FactTable:
    table = FactTable(day, {})
    add_reading_facts(table, macro, events, pd.Timestamp(day))
    return table


def test_the_release_in_the_window_is_the_latest_on_or_before_the_as_of():
    events = load_events(["cpi"])
    assert release_in_window(events, pd.Timestamp("2018-02-14")) == (pd.Timestamp("2018-02-14"), pd.Timestamp("2018-01-01"))
    assert release_in_window(events, pd.Timestamp("2018-02-13")) == (pd.Timestamp("2018-01-12"), pd.Timestamp("2017-12-01"))
    assert release_in_window(events, pd.Timestamp("1998-06-01")) is None
    assert release_in_window(events_of(("2018-02-14", "")), pd.Timestamp("2018-03-01")) is None  # a user's calendar names no month


def test_golden_readings_on_the_sample_and_no_look_ahead():
    events, sample = load_events(["cpi"]), load_series(make_macro_source("sample", {}), CPI_SERIES.values())
    jan = readings(sample, events, "2018-02-14")
    assert jan.value("cpi.reading.month") == "2018-01-01"
    assert round(jan.value("cpi.core.mom"), 5) == 0.00349 and round(jan.value("cpi.core.yoy"), 4) == 0.0185
    # ranked as published, to a tenth: 0.3% was last matched in January 2017 (not "since March 2005", a 0.001-point edge)
    assert jan.value("cpi.core.mom.hottest_since") == "2017-01-01" and jan.value("cpi.core.mom.coolest_since") == "2017-12-01"
    assert jan.value("cpi.core.mom.trend") == 2  # November 0.1%, December 0.2%, January 0.3% as published
    assert "CPILFESL" in jan["cpi.core.yoy"].description and sample.get(CORE).vintage in jan["cpi.core.yoy"].description
    assert (jan["cpi.core.mom"].start, jan["cpi.core.mom"].end) == ("2017-12-01", "2018-01-01")
    sep = readings(sample, events, "2018-10-11")
    assert round(sep.value("cpi.core.mom"), 5) == 0.00116 and sep.value("cpi.core.mom.hottest_since") == "2018-08-01"  # 0.1% as published, like August
    assert readings(sample, events, "2018-02-13").value("cpi.reading.month") == "2017-12-01"  # the day before: December's

    # a series that ends at the reference month gives the same facts as the full one: nothing later is read
    cut = MacroData("sample", {CORE: Series(CORE, sample.get(CORE).values.loc[:"2018-01-01"], "", sample.get(CORE).vintage)})
    assert readings(cut, events, "2018-02-14").facts == jan.facts
    # ... and a wild later month changes nothing
    wild = sample.get(CORE).values.copy()
    wild.loc["2018-02-01"] = 999.0
    assert readings(MacroData("x", {CORE: Series(CORE, wild, "", sample.get(CORE).vintage)}), events, "2018-02-14").facts == jan.facts


def test_a_source_without_the_month_or_with_a_gap_says_nothing_it_cannot():
    events = events_of(("2018-02-14", "2018-01"))
    assert len(readings(MacroData("x", {CORE: series_of({"2017-11-01": 100, "2017-12-01": 101})}), events, "2018-02-14")) == 0
    gap = series_of({"2017-01-01": 99, "2017-11-01": 100, "2018-01-01": 101})  # December missing: no m/m bridged over it
    table = readings(MacroData("x", {CORE: gap}), events, "2018-02-14")
    assert "cpi.core.mom" not in table and round(table.value("cpi.core.yoy"), 4) == round(101 / 99 - 1, 4)
    assert len(readings(None, events, "2018-02-14")) == 0


def test_since_data_start_and_streaks_on_a_constructed_series():
    months = pd.date_range("2015-01-01", periods=30, freq="MS")
    level, values = 100.0, {}
    changes = [0.001] * 25 + [0.002, 0.003, 0.004, 0.005, 0.006]  # five hotter months in a row, the last the hottest
    for day, change in zip(months, changes, strict=True):
        level *= 1 + change
        values[str(day.date())] = level
    events = events_of(("2017-07-12", "2017-06"))
    table = readings(MacroData("x", {CORE: series_of(values)}), events, "2017-07-12")
    assert table.value("cpi.core.mom.trend") == 5
    assert table.value("cpi.core.mom.hottest_data_start") == "2015-02-01" and "cpi.core.mom.hottest_since" not in table
    assert table.value("cpi.core.mom.coolest_since") == "2017-05-01"
    assert streak(pd.Series([0.3, 0.2, 0.1])) == -2 and streak(pd.Series([0.1, 0.2, 0.2])) == 0
    assert streak(pd.Series([0.3, float("nan"), 0.2, 0.1])) == -1  # a gap ends a streak


def test_headline_joins_where_the_source_has_it_and_is_fact_checked(fred, tmp_path):
    from marketnotes.narrative.check import check_html
    from marketnotes.narrative.releases import _reading
    from marketnotes.narrative.writer import Phrasebook

    data, vintage = fetched_today(lambda: load_series(fred_source(fred, tmp_path / "fred"), CPI_SERIES.values(), pd.Timestamp("2018-01-01")))
    table = readings(data, load_events(["cpi"]), "2018-02-14")
    assert {"cpi.headline.mom", "cpi.headline.yoy", "cpi.headline.mom.trend"} <= set(table.facts)
    assert table.value("cpi.headline.series") == HEADLINE and table.value("cpi.core.vintage") == vintage
    said = _reading(table, Phrasebook(table, "releases.j2").say)
    assert len(said) == 2 and said[1].text.startswith("With food and energy included, prices were ")
    html = " ".join(str(s.html) for s in said)
    result = check_html(html, table)
    assert result.ok and result.numbers >= 4, result.problems


def test_a_rendered_cpi_note_states_the_reading_and_its_manifest_names_the_vintage(tmp_path, repo):
    """The bundled sample, offline: the note, facts.json (each reading with its series and
    vintage) and manifest.json (the macro source, each series' vintage, what it lacks)."""
    out = tmp_path / "reports"
    code, stdout, err = mn(tmp_path, "render", str(repo / "params" / "cpi-reaction.yaml"), "--as-of", "2018-02-14", "--format", "html", "--offline", "--output-dir", str(out))
    assert code == 0, err
    folder = out / "2018-02-14" / "cpi-reaction"
    manifest = json.loads((folder / "manifest.json").read_text())
    macro = manifest["macro"]
    assert macro["source"] == "sample" and list(macro["series"]) == [CORE]
    assert macro["series"][CORE]["vintage"] == "FRED latest as bundled from arch 8.0.0, through November 2018"
    assert macro["lacking"] == {HEADLINE: "the bundled sample has core CPI (CPILFESL) and the Fed funds target only"}
    facts = {f["id"]: f for f in json.loads((folder / "facts.json").read_text())["facts"]}
    assert facts["cpi.core.mom"]["description"].endswith("(CPILFESL, FRED latest as bundled from arch 8.0.0, through November 2018)")
    assert facts["cpi.core.series"]["value"] == CORE
    html = (folder / "note.html").read_text()
    assert 'data-fact="cpi.core.mom" data-fmt="pct1">0.3%</span>' in html
