"""Where a note's template is: a name looked up beside the params file, in ./templates, in
MARKETNOTES_TEMPLATES and last among the stock templates shipped inside the package, or a
path. The user's own folders come first, so a template of theirs named like a stock one wins.
Light on purpose (no pandas, no papermill): a single note
finds its template, and starts its kernel there, before the heavy imports begin.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from marketnotes.errors import TemplateNotFound

if TYPE_CHECKING:
    from marketnotes.spec import NoteSpec

# The stock notes ship as package data: the templates, and the params examples that go with
# them (`marketnotes init` copies those). The repository's templates/ and params/*.yaml are
# symlinks to these files: one copy of each.
STOCK = Path(__file__).resolve().parent / "stock"
STOCK_TEMPLATES = STOCK / "templates"
STOCK_PARAMS = STOCK / "params"


def stock_templates() -> list[str]:
    """The names of the stock templates (found by name from anywhere)."""
    return sorted(p.stem for p in STOCK_TEMPLATES.glob("*.ipynb"))


def find_template(spec: NoteSpec) -> Path:
    """The template a spec names (see `locate_template`)."""
    return locate_template(spec.params.template, spec.params_path)


def locate_template(name: str, params_path: Path | None) -> Path:
    """A path ending in .ipynb, or a name looked up in templates/ beside the params folder,
    beside the params file, in ./templates, in MARKETNOTES_TEMPLATES, and then among the
    stock templates."""
    places: list[Path] = []
    if params_path is not None:
        places.append(params_path.resolve().parent.parent / "templates")
        places.append(params_path.resolve().parent)
    places.append(Path.cwd() / "templates")
    if os.environ.get("MARKETNOTES_TEMPLATES"):
        places.append(Path(os.environ["MARKETNOTES_TEMPLATES"]))
    places.append(STOCK_TEMPLATES)
    if name.endswith(".ipynb"):
        direct = Path(name).expanduser()
        candidates = [direct] if direct.is_absolute() else [Path.cwd() / direct] + [p / direct for p in places]
    else:
        candidates = [p / f"{name}.ipynb" for p in places]
    for path in candidates:
        if path.is_file():
            return path.resolve()
    raise TemplateNotFound(name, [str(p) for p in dict.fromkeys(c.parent for c in candidates)])
