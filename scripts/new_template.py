"""Start a new template: the stock note plus a paragraph and a chart of your own, without outputs.

    python scripts/new_template.py templates/my-note.ipynb            # the skeleton
    python scripts/new_template.py templates/my-note.ipynb --stock    # a plain copy of the stock template

The same as `marketnotes templates new` (marketnotes/skeleton.py writes both), kept for the
clone's habits. It runs with any `python`: when the interpreter that started it cannot
import marketnotes (the venv is not active), it runs itself again with the clone's
`.venv/bin/python`, the interpreter `make demo` installed marketnotes into. An existing file
is never overwritten.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

VENV_PYTHON = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python"


def _marketnotes_importable() -> bool:
    try:
        import marketnotes.skeleton  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="where to write the template, e.g. templates/my-note.ipynb")
    parser.add_argument("--stock", action="store_true", help="a plain copy of the stock template")
    args = parser.parse_args(argv)
    from marketnotes.errors import MarketNotesError
    from marketnotes.skeleton import write_template

    try:
        write_template(args.target, plain=args.stock)
    except MarketNotesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"wrote {args.target}")
    return 0


if __name__ == "__main__":
    if not _marketnotes_importable():
        if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parents[1].resolve():  # not the venv already: no loop
            os.execv(VENV_PYTHON, [str(VENV_PYTHON), __file__, *sys.argv[1:]])
        print(f"error: marketnotes is not installed for {sys.executable} and {VENV_PYTHON} does not exist: run `make demo` in the clone first", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
