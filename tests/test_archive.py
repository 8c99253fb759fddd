"""The archive as a user meets it: a real 6-week backfill, `marketnotes archive`, and the
index opened over file:// in a real Chromium; retention on copies of that backfill."""

import datetime as dt
import fcntl
import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect, sync_playwright

from marketnotes.archive import NoteRecord
from marketnotes.archive.retention import cutoff
from marketnotes.archive.site import Series, render_index, render_latest
from marketnotes.errors import ArchiveError
from marketnotes.manifest import verify
from marketnotes.render.pdf import CHROMIUM_ARGS, find_chromium
from conftest import run

pytestmark = pytest.mark.slow

DATES = ["2018-12-21", "2018-12-14", "2018-12-07", "2018-11-30", "2018-11-23", "2018-11-16"]  # newest first
ENV = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "COLUMNS": "250"}


def mn(*args, timeout=180):
    return run([sys.executable, "-m", "marketnotes", *map(str, args)], capture_output=True, text=True, timeout=timeout, env=ENV)


@pytest.fixture(scope="module")
def reports(tmp_path_factory, repo):
    """Six weekly notes rendered by `batch --archive`: the index exists once the batch ends."""
    root = tmp_path_factory.mktemp("archive") / "reports"
    proc = mn("batch", repo / "params" / "demo.yaml", "--from", "2018-11-16", "--to", "2018-12-21", "--output-dir", root, "--workers", "2", "--archive", timeout=400)
    assert proc.returncode == 0, proc.stderr
    assert f"archive: {root / 'index.html'} lists 6 notes of 1 name" in proc.stdout
    return root


@pytest.fixture
def copy(reports, tmp_path):
    """A copy of the backfill that a test may prune."""
    return shutil.copytree(reports, tmp_path / "reports")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def index(reports, browser):
    """The index page, opened over file://; fails the test on any console error or fetch."""
    page = browser.new_page()
    errors, fetched = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: fetched.append(r.url) if not r.url.startswith("file:") else None)
    page.goto((reports / "index.html").as_uri())
    yield page
    assert errors == [] and fetched == []
    page.close()


def shown(page) -> list[str]:
    """The dates of the notes the reader can see now."""
    return page.eval_on_selector_all("[data-note]", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.date)")


def listed(root: Path) -> list[str]:
    return re.findall(r'data-date="([\d-]+)"', (root / "index.html").read_text())


def test_index_lists_the_six_notes_newest_first_with_each_notes_own_headline(reports, index, browser):
    rows = index.eval_on_selector_all("[data-note]", "els => els.map(e => [e.dataset.date, e.querySelector('.headline').innerText])")
    assert [date for date, _ in rows] == DATES
    assert index.inner_text("#count") == "6 notes"
    note = browser.new_page()
    for date, headline in rows:
        note.goto((reports / date / "demo" / "note.html").as_uri())
        assert headline == note.inner_text("h2.mn-headline")
    note.close()


def test_every_link_resolves(reports, index, browser):
    hrefs = index.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    assert len(hrefs) == 1 + 6 * 3  # latest, and per note: headline, HTML, PDF
    page = browser.new_page()
    for url in hrefs:
        path = Path(unquote(url.removeprefix("file://")))
        assert path.is_file() and path.is_relative_to(reports), url
        if path.suffix == ".pdf":
            assert path.read_bytes().startswith(b"%PDF")
        else:
            page.goto(url)
            page.wait_for_selector("h2.mn-headline")  # the note itself (latest redirects to one)
    page.close()


def test_latest_lands_on_the_newest_note(reports, index):
    newest = index.inner_text("[data-note] .headline")
    index.click("a.latest")
    index.wait_for_url("**/2018-12-21/demo/note.html")
    assert index.inner_text("h2.mn-headline") == newest
    # the same page from a static server's point of view: <name>/latest/ holds an index.html
    assert (reports / "demo" / "latest" / "index.html").is_file()


def test_typing_in_the_filter_narrows_the_list(index):
    rows = index.eval_on_selector_all("[data-note]", "els => els.map(e => [e.dataset.date, e.querySelector('.headline').innerText])")
    query = rows[2][1]  # one week's headline, typed in lower case
    expected = [date for date, headline in rows if query.lower() in headline.lower()]
    assert 0 < len(expected) < 6
    index.fill("#q", query.lower())
    assert shown(index) == expected and index.inner_text("#count") == f"{len(expected)} of 6 notes"
    index.fill("#q", "no such headline")
    assert shown(index) == [] and index.is_visible("#none") and not index.is_visible("[data-series]")
    index.click("button[type=reset]")
    expect(index.locator("[data-note]:not([hidden])")).to_have_count(6)
    assert shown(index) == DATES


def test_the_date_range_narrows_the_list(index):
    index.fill("#from", "2018-11-30")
    index.fill("#to", "2018-12-14")
    assert shown(index) == ["2018-12-14", "2018-12-07", "2018-11-30"]
    index.fill("#to", "")
    index.fill("#from", "2018-12-10")
    assert shown(index) == ["2018-12-21", "2018-12-14"]
    index.fill("#q", "2018-12-21")  # text and dates together
    assert shown(index) == ["2018-12-21"]


def test_headlines_and_titles_are_shown_as_text_never_run(tmp_path, browser):
    evil = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    title = '"><script>window.pwned = 3</script> Notes & "quotes"'
    record = NoteRecord(tmp_path / "2018-12-21" / "x", "x", "2018-12-21", title, evil, ("note.html",))
    series = [Series("x", [record])]
    (tmp_path / "index.html").write_text(render_index(tmp_path, series, dt.datetime(2024, 1, 1)))
    (tmp_path / "x" / "latest").mkdir(parents=True)
    (tmp_path / "x" / "latest" / "index.html").write_text(render_latest(tmp_path, series[0]).replace('http-equiv="refresh"', 'name="no-refresh"'))
    page = browser.new_page(bypass_csp=True)  # escaping alone must hold: the page's CSP is a second line
    for url in ((tmp_path / "index.html").as_uri(), (tmp_path / "x" / "latest" / "index.html").as_uri()):
        page.goto(url)
        assert page.evaluate("window.pwned") is None and page.locator("img").count() == 0
        assert evil in page.inner_text("body")
    page.goto((tmp_path / "index.html").as_uri())
    assert page.inner_text("h2") == title and page.locator("script").count() == 1  # the filter's
    page.fill("#q", "pwned")
    assert shown(page) == ["2018-12-21"]
    page.close()


def test_archive_lists_only_complete_notes_and_never_touches_a_note_folder(copy):
    (copy / "index.html").unlink()
    note = copy / "2018-12-21" / "demo"
    shutil.copytree(note, copy / "2018-12-21" / ".demo.staging-999-abcdef01")  # a render in progress
    (copy / "2018-12-14" / "demo.failed.ipynb").write_text("{}")  # a failed re-render beside a note
    shutil.copytree(note, copy / "2018-12-28" / "demo")  # a note whose HTML was edited by hand
    (copy / "2018-12-28" / "demo" / "note.html").write_text("edited")
    (copy / "2018-12-28" / ".demo.lock").write_text("123")
    (copy / "2018-12-28" / "unfinished").mkdir()  # no manifest: not a note
    (copy / "2018-12-28" / "unfinished" / "note.html").write_text("half")

    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in copy.glob("20*/**/*") if p.is_file()}
    proc = mn("archive", copy)
    assert proc.returncode == 0, proc.stderr
    assert "lists 6 notes of 1 name" in proc.stdout
    assert f"not listed: {copy / '2018-12-28' / 'demo'}: note.html differs from the manifest" in proc.stderr
    assert listed(copy) == DATES
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in copy.glob("20*/**/*") if p.is_file()} == before
    assert sorted(p.name for p in copy.iterdir() if not p.name.startswith("batch-")) == [*sorted(DATES), "2018-12-28", "demo", "index.html"]


def test_keep_removes_exactly_the_notes_it_names(copy):
    proc = mn("archive", copy, "--keep", "4")
    assert proc.returncode == 0, proc.stderr
    removed = [line for line in proc.stdout.splitlines() if line.startswith("removed")]
    assert removed == [f"removed {copy / d / 'demo'} (as of {d})" for d in ("2018-11-16", "2018-11-23")]
    assert sorted(p.name for p in copy.iterdir() if p.name.startswith("20")) == sorted(DATES[:4])  # empty date folders gone
    assert all(verify(copy / d / "demo") == [] for d in DATES[:4])
    assert listed(copy) == DATES[:4] and "lists 4 notes" in proc.stdout


def test_older_than_removes_the_notes_before_the_cutoff(copy):
    days = (dt.date.today() - dt.date(2018, 12, 3)).days  # the cutoff falls between 11-30 and 12-07
    proc = mn("archive", copy, "--older-than", f"{days}d")
    assert proc.returncode == 0, proc.stderr
    assert [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("removed")] == [str(copy / d / "demo") for d in ("2018-11-16", "2018-11-23", "2018-11-30")]
    assert listed(copy) == DATES[:3] and not (copy / "2018-11-30").exists()


def test_pruning_every_note_of_a_name_removes_its_latest_page_only(copy):
    mine = copy / "handmade" / "latest" / "index.html"  # a page the archive did not write
    mine.parent.mkdir(parents=True)
    mine.write_text("<p>my own page</p>")
    proc = mn("archive", copy, "--older-than", "1d")
    assert proc.returncode == 0, proc.stderr
    assert len([line for line in proc.stdout.splitlines() if line.startswith("removed")]) == 6
    assert "lists 0 notes of 0 names" in proc.stdout and listed(copy) == [] and "No notes yet" in (copy / "index.html").read_text()
    assert not (copy / "demo").exists() and mine.read_text() == "<p>my own page</p>"
    assert sorted(p.name for p in copy.iterdir() if not p.name.startswith("batch-")) == ["handmade", "index.html"]


def test_dry_run_says_what_would_go_and_changes_nothing(copy):
    index = (copy / "index.html").read_bytes()
    proc = mn("archive", copy, "--keep", "2", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"would remove {copy / d / 'demo'} (as of {d})" for d in reversed(DATES[2:])]
    assert all(verify(copy / d / "demo") == [] for d in DATES)
    assert (copy / "index.html").read_bytes() == index


def test_a_note_being_rendered_is_not_removed(copy):
    fd = os.open(copy / "2018-11-16" / ".demo.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a render of that note holds
        os.ftruncate(fd, 0)
        os.write(fd, b"4242")
        proc = mn("archive", copy, "--keep", "4")
    finally:
        os.close(fd)
    assert proc.returncode == 0, proc.stderr
    assert f"kept {copy / '2018-11-16' / 'demo'} (as of 2018-11-16): being rendered by another marketnotes run (pid 4242)" in proc.stdout
    assert f"removed {copy / '2018-11-23' / 'demo'} (as of 2018-11-23)" in proc.stdout
    assert verify(copy / "2018-11-16" / "demo") == [] and not (copy / "2018-11-23").exists()
    assert listed(copy) == [*DATES[:4], "2018-11-16"]


def test_render_archive_refreshes_the_index_and_moves_latest(copy, repo):
    proc = mn("render", repo / "params" / "demo.yaml", "--as-of", "2018-12-28", "--format", "html", "--output-dir", copy, "--archive")
    assert proc.returncode == 0, proc.stderr
    assert "lists 7 notes of 1 name" in proc.stdout
    assert listed(copy) == ["2018-12-28", *DATES]
    assert 'url=../../2018-12-28/demo/note.html"' in (copy / "demo" / "latest" / "index.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}"], "{missing}: no such reports folder"),
        (["{root}", "--older-than", "1x"], "--older-than '1x': expected a number and a unit: 90d, 26w, 6m or 1y"),
        (["{root}", "--keep", "3", "--older-than", "1y"], "--keep and --older-than: choose one retention rule"),
        (["{root}", "--keep", "0"], "--keep 0: keep at least 1 note per name"),
        (["{root}/2018-12-21/demo"], "is one note's folder; pass the reports folder that holds it"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    (tmp_path / "2018-12-21" / "demo").mkdir(parents=True)
    (tmp_path / "2018-12-21" / "demo" / "manifest.json").write_text("{}")
    fill = {"missing": tmp_path / "nope", "root": tmp_path}
    code, err = (lambda p: (p.returncode, p.stderr))(mn("archive", *(a.format(**fill) for a in args), timeout=60))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: ") and message.format(**fill) in err


def test_ages_count_back_from_today_in_days_weeks_and_calendar_months():
    today = dt.date(2026, 3, 31)
    assert cutoff("90d", today) == dt.date(2025, 12, 31)
    assert cutoff("26W", today) == dt.date(2025, 9, 30)
    assert cutoff("1m", today) == dt.date(2026, 2, 28)  # no February 31st
    assert cutoff("6m", today) == dt.date(2025, 9, 30)
    assert cutoff("1y", dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    for bad in ("", "y", "0d", "-1d", "1.5y", "1 year"):
        with pytest.raises(ArchiveError):
            cutoff(bad, today)
