"""manifest.json: what a note was made from, so anyone can tell how to reproduce it.

Holds the validated params, the as-of resolution, the data source and a SHA-256 of the exact
prices used, the template's hash, package versions, per-stage timings and each output file's
hash. Nothing secret is ever put here: SMTP settings live outside params by design.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from functools import cache
from importlib import metadata
from pathlib import Path

import pandas as pd

from marketnotes import __version__, atomic
from marketnotes.data import PriceData
from marketnotes.spec import NoteSpec

PACKAGES = ("pandas", "numpy", "matplotlib", "papermill", "nbconvert", "nbclient", "ipykernel", "yfinance", "exchange_calendars", "pydantic", "jinja2", "playwright", "pyarrow")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


INPUTS_COVER = "params (but output_dir), as-of session, price data through it, events, economic series (CPI notes), template, marketnotes code"


@cache
def code_fingerprint() -> str:
    """marketnotes' version and a hash of its own code and phrasebook: a narrative fix
    re-renders notes even before a release bumps the version."""
    root = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in root.rglob("*") if p.suffix in {".py", ".j2", ".csv", ".tpl", ".css"} and "sample" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hash(spec: NoteSpec, prices: PriceData, template: Path, events: pd.DataFrame, macro=None) -> str:
    """One hash of everything a note is made from (INPUTS_COVER). The data is hashed through
    the as-of session only, so a week of new prices changes no earlier note's hash. `macro`
    (a CPI note's economic series, analysis.note_macro) joins only where a note reads one,
    so a new FRED vintage renders a CPI note again and changes no other note's hash."""
    params = spec.params.model_dump(mode="json")
    params.pop("output_dir", None)
    described = {
        "params": params,
        "as_of": spec.as_of_iso,
        "data": prices.sha256(),
        "events": hashlib.sha256(pd.util.hash_pandas_object(events, index=False).to_numpy().tobytes()).hexdigest(),
        "template": file_sha256(template),
        "marketnotes": code_fingerprint(),
    }
    if macro is not None:
        described["macro"] = macro.sha256()
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def up_to_date(folder: Path, inputs: str) -> bool:
    """The folder holds an intact note made from exactly these inputs."""
    try:
        recorded = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("inputs", {}).get("sha256")
    except (OSError, ValueError):
        return False
    return recorded == inputs and not verify(folder)


def versions() -> dict[str, str]:
    found = {"marketnotes": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_manifest(
    spec: NoteSpec,
    prices: PriceData,
    template: Path,
    outputs: list[Path],
    timings: dict[str, float],
    check,
    target: Path,
    inputs: str,
    macro=None,
    left_out: list[tuple[str, str]] = (),
) -> Path:
    """`outputs` and `target` are in the note's staging folder; names, not paths, are recorded.
    `macro`: the economic series a CPI note read (data/macro.py's MacroData), recorded with
    each series' vintage ("FRED latest, as fetched on 2024-07-12") under `macro`. `check` is
    the note's CheckResult: its summary line, and each editorial-lint finding as {rule, text,
    cell} (`cell`: the template cell as JupyterLab numbers it, null for the note's own prose).
    `left_out`: (section, why) for each prose section the note has nothing for (narrative/left_out.py)."""
    manifest = {
        "note": spec.name,
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "params": spec.params.model_dump(mode="json"),
        "params_file": str(spec.params_path) if spec.params_path else None,
        "as_of": {"requested": spec.requested_as_of, "session": spec.as_of_iso, "phrase": spec.as_of_phrase},
        "data": {"source": prices.source, "sha256": prices.sha256(), "ranges": prices.ranges(), "gaps": prices.gaps},
        "template": {"path": str(template), "sha256": file_sha256(template)},
        **({"macro": macro.manifest()} if macro is not None else {}),
        "inputs": {"sha256": inputs, "covers": INPUTS_COVER},
        "fact_check": check.summary(),
        "editorial_lint": [{"rule": f.rule, "text": f.text, "cell": f.cell} for f in check.style],
        "sections_left_out": [{"section": section, "why": why} for section, why in left_out],
        "versions": versions(),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        "files": {p.name: {"sha256": file_sha256(p), "bytes": p.stat().st_size} for p in outputs if p.exists()},
    }
    return atomic.write_text(target, json.dumps(manifest, indent=2))


# Files a note folder may hold beyond those its manifest lists: the manifest itself, and the
# message `send --dry-run` writes after the render.
NOT_LISTED = {"manifest.json", "note.eml"}


def verify(folder: Path) -> list[str]:
    """What is wrong with a note folder against its manifest: a listed file missing or
    changed, or a file the render did not write. An empty list means the folder is intact."""
    try:
        listed = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    except FileNotFoundError:
        return ["no manifest.json (not a rendered note, or an unfinished one)"]
    except (ValueError, KeyError, TypeError):
        return ["manifest.json is not a marketnotes manifest"]
    problems = []
    for name, expected in listed.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif file_sha256(path) != expected["sha256"]:
            problems.append(f"{name} differs from the manifest (sha256 {file_sha256(path)[:12]}, expected {expected['sha256'][:12]})")
    extra = sorted(p.name for p in folder.iterdir() if p.name not in listed and p.name not in NOT_LISTED)
    problems += [f"{name} is not in the manifest" for name in extra]
    return problems


def note_folders(root: Path) -> list[Path]:
    """`root` itself if it is a note folder, else every note folder under it (staging
    folders of runs in progress, which are hidden, are not notes yet)."""
    if (root / "manifest.json").exists():
        return [root]
    found = (m.parent for m in root.rglob("manifest.json"))
    return sorted(f for f in found if not any(part.startswith(".") for part in f.relative_to(root).parts))
