"""`marketnotes init DIR`: lay out a working project for an installed marketnotes.

The stock templates ship inside the package and are found by name from anywhere, so a project
needs no copy of them: `params/` gets the stock params examples (the three offline ones, on
the bundled sample, and the live weekly one that the cron example runs), `templates/` a copy
of the weekly template under a name of its own to edit, `reports/` is where notes land, and
`crontab.example` renders the weekly note every Friday after the close.

The project is laid out in a hidden staging folder and moved into place when complete (one
rename for a new DIR), so a failed `init` leaves nothing behind, and DIR as it was.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from marketnotes.cli.common import app, out
from marketnotes.errors import MarketNotesError
from marketnotes.templates import STOCK_PARAMS, STOCK_TEMPLATES

# the stock params examples a project starts with: the offline ones first, then the live one
PARAMS = ("demo", "cpi-reaction", "monthly-review", "weekly-rotation")
MY_TEMPLATE = "my-note"  # the copy to edit: not a stock name, so the stock note stays in use until a params file names it
CRON_FILE = "crontab.example"


class InitError(MarketNotesError):
    """DIR cannot hold a new project: not empty, not a folder, or not writable."""

    exit_code = 2

    def __init__(self, folder: str | Path, reason: str):
        self.folder, self.reason = str(folder), reason
        super().__init__(f"cannot lay out a project in {self.folder}: {reason}")


TEMPLATES_README = f"""\
Your own templates. A params file's `template: NAME` is looked up here first (templates/ beside
the params folder, then beside the params file, ./templates and $MARKETNOTES_TEMPLATES), and
only then among the stock templates that ship with marketnotes, in
{{stock}}
A template here named like a stock one replaces it for every params file of this project.

{MY_TEMPLATE}.ipynb is a copy of the stock weekly-rotation template to start from: edit it
(`pip install 'marketnotes[jupyter]'`, then `jupyter lab templates/`), point a params file at
it with `template: {MY_TEMPLATE}`, and check it with `marketnotes templates check`.
"""


def cron_example(project: Path, executable: str) -> str:
    """The crontab example: the live weekly note every Friday after the close."""
    line = (f"30 18 * * 5  cd {shlex.quote(str(project))} && {shlex.quote(executable)} render params/weekly-rotation.yaml"
            " >> reports/cron.log 2>&1").replace("%", "\\%")  # cron turns a bare % into a newline
    return f"""\
# The live weekly note every Friday after the close. Install it with `crontab -e` and paste
# the line below (or `crontab {CRON_FILE}`, which replaces your whole crontab).
#
# 30 18 * * 5 is 18:30 on Fridays by the machine's clock: two and a half hours after the
# 16:00 New York close, once the day's closes are published, on a machine set to New York
# time; shift the hour for another time zone (cronie also reads a CRON_TZ=America/New_York
# line above it). params/weekly-rotation.yaml reads live prices with as_of: last-friday, so
# a Friday holiday gives Thursday's note. Add `--email params/team.yaml` to mail it (see
# the README's Email section); cron mails nothing, the log is reports/cron.log.
{line}
"""


def _executable() -> str:
    """The `marketnotes` command by absolute path: cron runs with a minimal PATH."""
    beside = Path(sys.executable).parent / "marketnotes"
    if beside.is_file():
        return str(beside)
    found = shutil.which("marketnotes")
    return str(Path(found).resolve()) if found else "marketnotes"


def _check_target(project: Path) -> None:
    if project.exists() and not project.is_dir():
        raise InitError(project, "it exists and is not a folder")
    if project.is_dir():
        try:
            entries = sorted(p.name for p in project.iterdir())
        except OSError as exc:
            raise InitError(project, (exc.strerror or str(exc)).lower()) from None
        if entries:
            shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
            raise InitError(project, f"it is not empty ({shown}); name a new or empty folder")


def _lay_out(root: Path, project: Path) -> list[str]:
    """Write the project's files under `root` (the staging folder); return their paths."""
    made: list[str] = []
    for folder in ("params", "templates", "reports"):
        (root / folder).mkdir()
    for name in PARAMS:
        shutil.copyfile(STOCK_PARAMS / f"{name}.yaml", root / "params" / f"{name}.yaml")
        made.append(f"params/{name}.yaml")
    shutil.copyfile(STOCK_TEMPLATES / "weekly-rotation.ipynb", root / "templates" / f"{MY_TEMPLATE}.ipynb")
    (root / "templates" / "README.md").write_text(TEMPLATES_README.format(stock=STOCK_TEMPLATES), encoding="utf-8")
    made += [f"templates/{MY_TEMPLATE}.ipynb", "templates/README.md", "reports/"]
    (root / CRON_FILE).write_text(cron_example(project, _executable()), encoding="utf-8")
    made.append(CRON_FILE)
    return made


def init_project(project: Path) -> list[str]:
    """Lay out a new project in `project` (new, or an empty folder); return what was written,
    relative to it."""
    project = project.expanduser()
    if project.is_symlink() and not project.exists():
        raise InitError(project, "it is a symlink to nothing")
    project = Path(os.path.realpath(project))
    _check_target(project)
    existed = project.is_dir()
    try:
        if not existed:
            project.parent.mkdir(parents=True, exist_ok=True)
        # staged beside a new folder (then one rename makes it), inside an existing one (then
        # its entries move in: the folder itself stays, a shell's working directory included)
        staging = Path(tempfile.mkdtemp(prefix=f".{project.name}.init-" if not existed else ".init-", dir=project if existed else project.parent))
    except OSError as exc:
        raise InitError(project, (exc.strerror or str(exc)).lower()) from None
    moved: list[Path] = []
    try:
        made = _lay_out(staging, project)
        if existed:
            for entry in sorted(staging.iterdir()):
                entry.rename(project / entry.name)
                moved.append(project / entry.name)
            staging.rmdir()
        else:
            staging.chmod(0o777 & ~_umask())  # mkdtemp made it private; a project is an ordinary folder
            os.rename(staging, project)  # fails if DIR appeared meanwhile: nothing of ours is left
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        for path in moved:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InitError(project, (exc.strerror or str(exc)).lower()) from None
        raise
    return made


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@app.command("init")
def init_cmd(
    project: Annotated[Path, typer.Argument(help="the project folder to create (new, or empty)", show_default=False)],
) -> None:
    """Lay out a project: params examples, a template to edit, reports/, and a cron example."""
    made = init_project(project)
    out.print(f"laid out a marketnotes project in {project}", highlight=False, soft_wrap=True)
    for path in made:
        out.print(f"  {path}", highlight=False, soft_wrap=True)
    here = Path(os.path.realpath(project)) == Path.cwd().resolve()
    cd = "" if here else f"cd {shlex.quote(str(project))} && "
    out.print(f"next: {cd}marketnotes render params/demo.yaml   (offline, on the bundled sample)", highlight=False, soft_wrap=True)
