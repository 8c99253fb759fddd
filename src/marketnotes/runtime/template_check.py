"""The template contract: what `marketnotes templates check` and the contract tests enforce.

A template must have a `parameters`-tagged cell whose names are params fields (plus
`price_snapshot`) and whose defaults the params model accepts; it is committed without outputs;
and it runs with its defaults, offline, and renders. It runs the template on a kernel of its
own (the render's `Engines`), so it lives with what runs notes, not with the stages.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
from pathlib import Path

import nbformat
import papermill

from marketnotes.errors import MarketNotesError
from marketnotes.params import NoteParams

HOST_ONLY = {"price_snapshot", "facts_snapshot"}


def template_defaults(path: Path) -> dict:
    declared = papermill.inspect_notebook(str(path))
    return {name: ast.literal_eval(info["default"]) for name, info in declared.items()}


def check_template(path: Path, run: bool = True) -> list[str]:
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as exc:
        return [f"cannot read notebook: {exc}"]
    problems = []
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"cell {i} has outputs; commit templates without outputs (Kernel > Restart & Clear Outputs)")
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        return [*problems, "no cell tagged 'parameters' (papermill needs one to inject values)"]
    try:
        defaults = template_defaults(path)
    except (ValueError, SyntaxError) as exc:
        return [*problems, f"parameters cell defaults must be literals: {exc}"]
    unknown = sorted(set(defaults) - set(NoteParams.model_fields) - HOST_ONLY)
    if unknown:
        problems.append(f"parameters not in the params model: {', '.join(unknown)}")
    fields = {k: v for k, v in defaults.items() if k in NoteParams.model_fields}
    try:
        params = NoteParams.model_validate({**fields, "template": str(path.resolve()), "formats": ["html"], "name": path.stem})
    except ValueError as exc:
        return [*problems, f"defaults rejected by the params model: {exc}"]
    if run and not problems:
        problems += _run_with_defaults(params)
    return problems


def _run_with_defaults(params: NoteParams) -> list[str]:
    """Render the template as `marketnotes render` does: on a kernel of our own (Engines),
    killed once the note is written. Left to papermill, the kernel would be shut down the
    graceful way, which interrupts it first (jupyter_client sends SIGINT before every
    shutdown); that SIGINT lands while ipykernel is still inside the handler of papermill's
    last request (kernel_info, sent after the last cell, answered before the handler returns)
    and the kernel logs "KeyboardInterrupt caught in kernel." on our stderr."""
    from marketnotes.calendar import resolve_as_of
    from marketnotes.data import load_prices, make_source
    from marketnotes.runtime.engines import Engines
    from marketnotes.spec import NoteSpec

    template = Path(params.template)
    # Removed when the template passes; kept when it fails, because the message points at the
    # executed notebook inside it (the cell's traceback is there).
    tmp = Path(tempfile.mkdtemp(prefix="marketnotes-check-"))
    try:
        with Engines(many=False, pdf=False) as engines:
            engines.kernels.prestart(template.parent)  # boots while the data loads
            resolved = resolve_as_of(params.as_of)
            prices = load_prices(make_source(params.source, params.source_options), params.symbols, resolved)
            spec = NoteSpec.build(params, resolved, prices.as_of, tmp)
            result = engines.render(spec, prices, template)
    except MarketNotesError as exc:
        return [f"does not run with its defaults: {exc}"]
    html = result.paths["html"].read_text(encoding="utf-8")
    if "<img" not in html or "mn-headline" not in html:
        return [f"rendered HTML lacks the headline or charts (see {result.paths['html']})"]
    shutil.rmtree(tmp, ignore_errors=True)
    return []
