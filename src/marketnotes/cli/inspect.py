"""Commands that look without rendering: data, params, facts, template checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from marketnotes.cli.common import AsOf, Offline, Sets, app, data_app, out, params_app, templates_app
from marketnotes.cli.events import warn_past_calendars


@data_app.command("show")
def data_show(
    symbols: Annotated[list[str], typer.Argument(help="symbols, e.g. ^GSPC ^IXIC")],
    source: Annotated[str, typer.Option(help="sample, csv or yahoo")] = "sample",
    path: Annotated[Path | None, typer.Option(help="csv source: a folder of per-symbol files, or one yfinance export")] = None,
    as_of: AsOf = "latest",
    rows: Annotated[int, typer.Option(help="recent sessions to show")] = 5,
    offline: Offline = False,
) -> None:
    """Show the resolved session, each symbol's range and the most recent closes."""
    from marketnotes import pipeline

    options = {"path": str(path)} if path else {}
    prices = pipeline.load_data(source, options, list(symbols), as_of or "latest", offline)
    resolved = pipeline.resolve(as_of or "latest")
    out.print(pipeline.describe_as_of(resolved, prices.as_of))
    ranges = Table("symbol", "first", "last", "sessions", title=f"source: {prices.source}")
    for symbol, (first, last) in prices.ranges().items():
        ranges.add_row(symbol, first, last, str(len(prices.frames[symbol])))
    out.print(ranges)
    recent = prices.closes.tail(rows)
    table = Table("session", *recent.columns, title="closes")
    for day, row in recent.iterrows():
        table.add_row(day.strftime("%a %Y-%m-%d"), *("—" if v != v else f"{v:,.2f}" for v in row))
    out.print(table)
    for symbol, gaps in prices.gaps.items():
        out.print(f"[yellow]gap:[/] {symbol} lacks {len(gaps)} session(s) in the last year: {', '.join(gaps[:5])}")


@data_app.command("update")
def data_update(params_file: Path, offline: Offline = False) -> None:
    """Fill the local cache for a params file's indices through today's last close."""
    from marketnotes import pipeline

    params = pipeline.read_params(params_file, [], "latest")
    prices = pipeline.load_data(params.source, params.source_options, params.symbols, "latest", offline)
    for symbol, (first, last) in prices.ranges().items():
        out.print(f"{symbol}: {first} .. {last} ({len(prices.frames[symbol])} sessions)")


# --- params ---------------------------------------------------------------------------


@params_app.command("check")
def params_check(params_files: list[Path], set_: Sets = None, as_of: AsOf = None) -> None:
    """Validate params files; print each one's resolved settings."""
    from marketnotes import pipeline

    for path in params_files:
        params = pipeline.read_params(path, set_ or [], as_of)
        out.print(f"[green]ok[/] {path}: {params.title!r}, {len(params.indices)} indices, source {params.source}, as-of {params.as_of}")


# --- facts ----------------------------------------------------------------------------


@app.command("facts")
def facts_cmd(
    params_file: Path,
    as_of: AsOf = None,
    set_: Sets = None,
    offline: Offline = False,
    all_facts: Annotated[bool, typer.Option("--all", help="list every fact, not only those the prose cites")] = False,
    catalogue: Annotated[bool, typer.Option("--list", help="the catalogue: every fact by family, each family explained, and where the stock prose already states it")] = False,
) -> None:
    """Print the facts table, the prose written from it and the fact-check result (--list: the facts catalogue)."""
    from marketnotes import pipeline
    from marketnotes.analysis import analyse

    spec, prices = pipeline.prepare(params_file, set_ or [], as_of, offline)
    result = analyse(spec, prices, strict=False)
    out.print(f"[bold]{spec.params.title}[/] — {spec.as_of_phrase}; data: {prices.source}")
    if catalogue:
        print_catalogue(result)
        return
    cited = set(result.narrative.fact_ids)
    table = Table("fact", "value", "unit", "span", "description", title="facts" + ("" if all_facts else " cited in the prose"))
    for fact in result.facts:
        if all_facts or fact.id in cited:
            value = f"{fact.value:,.4f}" if isinstance(fact.value, float) else str(fact.value)
            span = " .. ".join(x for x in (fact.start, fact.end) if x)
            table.add_row(fact.id, value, fact.unit, span, fact.description)
    out.print(table)
    out.print()
    out.print(result.narrative.to_text(), highlight=False)
    out.print()
    out.print(("[green]" if result.check.ok else "[red]") + result.check.summary() + "[/]")
    for problem in result.check.problems:
        out.print(f"  [red]-[/] {problem}", highlight=False)
    for finding in result.check.style:
        out.print(f"  [yellow]-[/] {escape(str(finding))}", highlight=False)
    warn_past_calendars([result.facts])
    if not result.check.ok:
        raise typer.Exit(4)


def print_catalogue(result) -> None:
    """Every fact by family (facts/catalogue.py), each family with its one line, and the
    "already stated" column: where the stock prose states the figure (narrative/stated.py),
    so an author sees which citations would be a repeated-fact finding."""
    import datetime as dt

    from marketnotes.facts.catalogue import explain, grouped, subject_keys
    from marketnotes.narrative import formats
    from marketnotes.narrative.said import DEFAULT_FORMATS
    from marketnotes.narrative.stated import stated_in

    facts, as_of = result.facts, dt.date.fromisoformat(result.facts.as_of)
    stated = stated_in(result.narrative, facts)
    table = Table("fact", "written", "unit", "already stated", "description", title=f"{len(facts)} facts; 'already stated': citing it again is a repeated-fact finding")
    for family, ids in grouped([f.id for f in facts], subject_keys(facts.labels)).items():
        table.add_row(f"[bold]{escape(family)}[/]", "", "", "", f"[italic]{escape(explain(family))}[/] ({len(ids)})")
        for fid in ids:
            fact = facts[fid]
            fmt = DEFAULT_FORMATS.get(fact.unit)
            written = "" if fmt is None or fact.value is None else formats.render(fact.value, fmt, as_of)
            table.add_row(f"  {escape(fid)}", escape(written), fact.unit, escape(stated.get(fid, "")), escape(fact.description))
        table.add_section()
    out.print(table)


# --- render ---------------------------------------------------------------------------


@templates_app.command("new")
def templates_new(
    target: Annotated[Path, typer.Argument(help="the new template, e.g. templates/my-note.ipynb")],
    stock: Annotated[bool, typer.Option("--stock", help="a plain copy of the stock weekly template, without the VIX paragraph and chart")] = False,
) -> None:
    """Start a template: the stock weekly note plus a paragraph and a chart of its own (docs/templates.md). Never overwrites."""
    from marketnotes.skeleton import write_template

    write_template(target, plain=stock)
    out.print(f"wrote {escape(str(target))}: open it with `jupyter lab`, lint it with `marketnotes templates check {escape(str(target))}`", highlight=False, soft_wrap=True)


@templates_app.command("check")
def templates_check(
    templates: Annotated[list[Path] | None, typer.Argument(help="templates to lint (default: templates/*.ipynb)")] = None,
    run: Annotated[bool, typer.Option(help="also execute each with its defaults and render HTML")] = True,
) -> None:
    """Lint templates: parameters cell, no outputs, defaults accepted by the params model, runs."""
    from marketnotes.runtime.template_check import check_template

    paths = templates or sorted(Path("templates").glob("*.ipynb"))
    if not paths:
        raise typer.BadParameter("no templates found (looked for templates/*.ipynb)")
    failed = 0
    for path in paths:
        problems = check_template(path, run=run)
        if problems:
            failed += 1
            out.print(f"[red]FAIL[/] {path}")
            for problem in problems:
                out.print(f"  - {escape(problem)}", highlight=False)
        else:
            out.print(f"[green]ok[/]   {path}")
    if failed:
        raise typer.Exit(4)
