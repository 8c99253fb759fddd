"""Commands that make, send, check and archive notes: render, batch, send, verify, archive."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from marketnotes.cli.common import AsOf, Offline, Sets, app, err, out
from marketnotes.cli.events import note_facts, warn_past_calendars

Formats = Annotated[str | None, typer.Option("--format", help="html, pdf or html,pdf")]
OutputDir = Annotated[Path | None, typer.Option("--output-dir", help="folder for reports (default: params output_dir)")]


Timeout = Annotated[float | None, typer.Option("--timeout", help="seconds a note may take (params `timeout`, default 600)")]
ArchiveFlag = Annotated[bool, typer.Option("--archive", help="refresh the archive (index.html) of the reports folder afterwards")]


def format_overrides(fmt: str | None, timeout: float | None = None) -> list[str]:
    return ([] if not fmt else [f"formats=[{fmt}]"]) + ([] if timeout is None else [f"timeout={timeout}"])


@app.command("render")
def render_cmd(
    params_file: Path,
    as_of: AsOf = None,
    fmt: Formats = None,
    output_dir: OutputDir = None,
    set_: Sets = None,
    offline: Offline = False,
    email: EmailTo = None,
    dry_run: DryRun = False,
    smtp_config: SmtpConfig = None,
    timeout: Timeout = None,
    archive: ArchiveFlag = False,
) -> None:
    """Render one note: facts, notebook, HTML and PDF under reports/<as-of>/<name>/."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from marketnotes.params import load_params
    from marketnotes.runtime.engines import Engines

    overrides = [*(set_ or []), *format_overrides(fmt, timeout)]
    # The spinner is for a terminal; elsewhere (cron mail, a pipe) it would only leave a blank
    # line above the result or the one error line.
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("starting")
        params = load_params(params_file, overrides, as_of)
        engines = Engines.for_params(params, params_file, output_dir)  # the kernel boots while we import the rest
        try:
            from marketnotes.runtime.single import render_one
        except BaseException:
            engines.close()
            raise
        result = render_one(params_file, overrides, as_of, offline, output_dir, lambda stage: bar.update(task, description=stage), engines, params)
    spec = result.spec
    out.print(f"[bold]{spec.params.title}[/] — {spec.as_of_phrase}")
    out.print(result.analysis.narrative.headline.text, style="italic", highlight=False)
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    out.print(f"[dim]{result.analysis.check.summary()}; {timings}[/]")
    for finding in result.analysis.check.style:  # one line each: where, rule, what
        where = f"cell {finding.cell}" if finding.cell is not None else "stock prose"
        out.print(f"  [yellow]lint[/] {where}: {escape(str(finding))}", highlight=False, soft_wrap=True)
    for kind, path in result.paths.items():
        out.print(f"  {kind:9s} {path}", highlight=False)
    warn_past_calendars([result.analysis.facts])
    if archive:
        refresh_archive(spec.output_root)
    if email:
        deliver(spec.out_dir, email, dry_run, False, smtp_config)


EmailTo = Annotated[Path | None, typer.Option("--email", help="recipients file: email the note after rendering")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="write the message as note.eml instead of sending")]
SmtpConfig = Annotated[Path | None, typer.Option("--smtp-config", help="SMTP settings file (host, port, user, from, tls)")]
Force = Annotated[bool, typer.Option("--force", help="send even if the ledger says it was sent")]


@app.command("send")
def send_cmd(
    note_dir: Annotated[Path, typer.Argument(help="a rendered note folder, e.g. reports/2018-12-21/demo")],
    to: Annotated[Path, typer.Option("--to", help="recipients file (to/cc/bcc, subject)")],
    dry_run: DryRun = False,
    force: Force = False,
    smtp_config: SmtpConfig = None,
) -> None:
    """Email a rendered note's PDF: once per recipient list (ledger), retried on transient errors."""
    deliver(note_dir, to, dry_run, force, smtp_config)


def deliver(note_dir: Path, to: Path, dry_run: bool, force: bool, smtp_config: Path | None) -> None:
    """Send one note. The note is checked first (a folder that is not a note, exit 2; one that
    differs from its manifest, exit 4): bad input is said before SMTP settings are asked for."""
    from marketnotes.delivery import NoteFolder, load_recipients, load_settings, send_note

    NoteFolder.open(note_dir)
    recipients = load_recipients(to)
    settings = None if dry_run else load_settings(smtp_config)
    outcome = send_note(note_dir, recipients, settings, dry_run=dry_run, force=force)
    colour = {"sent": "green", "dry-run": "cyan", "skipped": "yellow", "partial": "red"}[outcome.status]
    out.print(f"[{colour}]{outcome.status}[/] {escape(outcome.detail)}", highlight=False)
    if outcome.status == "partial":
        raise typer.Exit(5)


def email_batch(to: Path, dry_run: bool, smtp_config: Path | None):
    """Check the recipients and SMTP settings now (before any note renders), and return the
    function that emails every rendered note, recording each one's delivery on its result."""
    from marketnotes.delivery import load_recipients, load_settings, send_note
    from marketnotes.errors import DamagedNote, DeliveryError

    recipients = load_recipients(to)
    settings = None if dry_run else load_settings(smtp_config)

    def send_all(results) -> bool:
        all_delivered = True
        for r in sorted(results, key=lambda r: r.index):
            if r.status != "ok":
                continue
            try:
                outcome = send_note(Path(r.output), recipients, settings, dry_run=dry_run)
                r.email = f"{outcome.status}: {outcome.detail}"
                all_delivered &= outcome.status != "partial"
            except (DeliveryError, DamagedNote) as exc:  # a note changed since it rendered is not sent
                r.email, all_delivered = f"failed: {exc}", False
        return all_delivered

    return send_all


@app.command("batch")
def batch_cmd(
    params_files: list[Path],
    date_from: Annotated[str | None, typer.Option("--from", help="backfill start (YYYY-MM-DD)")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="backfill end (YYYY-MM-DD)")] = None,
    every: Annotated[str, typer.Option("--every", help="weekday for backfill: friday, monday, …, or day")] = "friday",
    as_of: AsOf = None,
    fmt: Formats = None,
    output_dir: OutputDir = None,
    workers: Annotated[int | None, typer.Option("--workers", help="parallel workers (default: cores)")] = None,
    set_: Sets = None,
    offline: Offline = False,
    email: EmailTo = None,
    dry_run: DryRun = False,
    smtp_config: SmtpConfig = None,
    timeout: Timeout = None,
    retries: Annotated[int, typer.Option("--retries", min=0, help="retry notes that failed for a transient reason (network, kernel or browser crash)")] = 0,
    force: Annotated[bool, typer.Option("--force", help="render every note, even those whose inputs have not changed")] = False,
    executor: Annotated[str, typer.Option("--executor", help="local (worker processes here) or dask (a Dask cluster)")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", envvar="MARKETNOTES_DASK_SCHEDULER", help="address of a running Dask scheduler (implies --executor dask)")] = None,
    archive: ArchiveFlag = False,
) -> None:
    """Render many notes in parallel with warm workers; a summary table and batch-<time>.json at the end."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from marketnotes.runtime import batch
    from marketnotes.calendar import resolve_as_of
    from marketnotes.params import load_params
    from marketnotes.runtime.engines import Engines
    from marketnotes.runtime.executors import make_executor
    from marketnotes.runtime.worker import Job

    # The executor's options first: a malformed Dask scheduler address is one line before anything starts.
    runner = make_executor("dask" if scheduler else executor, workers, scheduler)
    overrides = tuple([*(set_ or []), *format_overrides(fmt, timeout)])
    jobs: list[Job] = []
    roots: dict[Path, None] = {}  # every reports folder the batch writes to, for --archive
    for path in params_files:
        params = load_params(path, list(overrides), as_of)  # validate every file before starting
        roots[Path(output_dir or params.output_dir)] = None
        Engines.preflight(params, output_dir)
        if date_from or date_to:
            if not (date_from and date_to):
                raise typer.BadParameter("--from and --to go together")
            dates = batch.backfill_dates(date_from, date_to, every)
        else:
            dates = [resolve_as_of(params.as_of).session.date().isoformat()]
        jobs += [Job(len(jobs) + i, path, d, overrides, output_dir, force=force) for i, d in enumerate(dates)]
    send_all = email_batch(email, dry_run, smtp_config) if email else None
    names = {j.index: f"{j.params_path.stem} {j.as_of}" for j in jobs}
    # Redrawn by a thread of its own while someone watches (4 times a second: the elapsed
    # time moves by the second); off a terminal (cron, a log file) only the final line is
    # written, so there is nothing to redraw: ten redraws a second cost ~2% of a batch's CPU.
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, auto_refresh=err.is_terminal, refresh_per_second=4)
    with drawn_once_started(bar):
        task = bar.add_task("starting workers", total=len(jobs))

        def progress(result, index, stage):
            if result is not None:
                bar.advance(task)
            bar.update(task, description=f"{names[index]}: {stage}")

        summary = batch.run_batch(jobs, workers, offline, progress, retries, runner, on_ready=bar.start)
    root = output_dir or load_params(params_files[0], list(overrides)).output_dir
    delivered = send_all(summary.results) if send_all else True
    columns = ["note", "as of", "status", "seconds", "output or error"] + (["email"] if email else [])
    fresh = f", {len(summary.up_to_date)} up to date" if summary.up_to_date else ""
    table = Table(*columns, title=f"{len(summary.results)} notes{fresh} in {summary.seconds:.1f}s on {summary.workers} workers")
    for r in sorted(summary.results, key=lambda r: r.index):
        status = {"ok": "[green]ok[/]", "up-to-date": "[dim]up to date[/]"}.get(r.status, "[red]failed[/]")
        row = [r.note, r.as_of, status, f"{r.seconds:.1f}", escape(r.error or "" if r.status == "failed" else r.output or "")]
        table.add_row(*row, *([escape(r.email or "—")] if email else []))
    out.print(table)  # before the summary file: on a full disk, the table is all the user gets
    path = summary.write(Path(root))
    out.print(f"summary: {path}", highlight=False)
    warn_past_calendars(note_facts([Path(r.output) for r in summary.results if r.status == "ok" and r.output]))
    for reports in roots if archive else ():
        refresh_archive(reports)
    if summary.failed:
        raise typer.Exit(1)
    if not delivered:
        raise typer.Exit(5)


@contextmanager
def drawn_once_started(bar):
    """A progress bar drawn from `bar.start()` on (a batch calls it once its executor is up),
    not from the `with`: an executor that cannot start (an unreachable Dask scheduler) is one
    error line with no bar above it."""
    try:
        yield bar
    finally:
        if bar.live.is_started:
            bar.stop()


def refresh_archive(root: Path) -> None:
    from marketnotes import archive

    site = archive.build(root)
    out.print(f"archive: {site.index} lists {site.listed} note{'s' * (site.listed != 1)} of {site.series} name{'s' * (site.series != 1)}", highlight=False, soft_wrap=True)
    for record in site.skipped:
        err.print(f"[yellow]not listed:[/] {escape(str(record.folder))}: {escape(record.problems[0])}", highlight=False, soft_wrap=True)


@app.command("archive")
def archive_cmd(
    reports_dir: Annotated[Path | None, typer.Argument(help="the reports folder (default: reports)")] = None,
    keep: Annotated[int | None, typer.Option("--keep", help="first remove all but the newest N notes of each name")] = None,
    older_than: Annotated[str | None, typer.Option("--older-than", help="first remove notes older than 90d, 26w, 6m or 1y")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what --keep / --older-than would remove; change nothing")] = False,
) -> None:
    """Build index.html in the reports folder (every note by name, newest first, a filter, <name>/latest/); optionally prune old notes first."""
    from marketnotes import archive

    root = reports_dir or archive.default_root()
    if keep is not None or older_than is not None or dry_run:
        outcomes = archive.prune(root, keep, older_than, dry_run)
        for outcome in outcomes:
            out.print(escape(str(outcome)), highlight=False, soft_wrap=True)
        if not outcomes:
            out.print("no note to remove")
    if not dry_run:
        refresh_archive(root)


@app.command("verify")
def verify_cmd(
    paths: Annotated[list[Path], typer.Argument(help="note folders, or folders of notes (e.g. reports)")],
) -> None:
    """Check rendered notes against their manifests: every listed file present and unchanged, nothing else."""
    from marketnotes.manifest import note_folders, verify

    bad = checked = 0
    for root in paths:
        if not root.is_dir():
            raise typer.BadParameter(f"{root} is not a folder")
        for folder in note_folders(root):
            checked += 1
            problems = verify(folder)
            bad += bool(problems)
            out.print(("[green]ok[/]   " if not problems else "[red]FAIL[/] ") + escape(str(folder)), highlight=False)
            for problem in problems:
                out.print(f"  - {escape(problem)}", highlight=False)
    if not checked:
        raise typer.BadParameter(f"no rendered notes under {', '.join(map(str, paths))}")
    out.print(f"{checked - bad} of {checked} notes intact")
    if bad:
        raise typer.Exit(4)
