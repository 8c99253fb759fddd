"""marketnotes installed like a library: the stock templates and their params examples ship
inside the package and are found by name from anywhere, after the user's own folders;
`marketnotes init DIR` lays out a project that renders offline; and a wheel built from the
repository, installed into a fresh venv, renders the three stock notes from a folder that
has nothing to do with the repository."""

from __future__ import annotations

import json
import os
import shutil
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, run
from marketnotes.errors import TemplateNotFound
from marketnotes.templates import STOCK_PARAMS, STOCK_TEMPLATES, locate_template, stock_templates

STOCK = ("weekly-rotation", "cpi-reaction", "monthly-review")
# params file, the stock template it names, and a date inside the bundled sample to render it for
NOTES = (("demo", "weekly-rotation", "2018-12-21"), ("cpi-reaction", "cpi-reaction", "2018-12-12"), ("monthly-review", "monthly-review", "2018-11-30"))


def cli(*args, cwd, env=None, timeout=120):
    proc = run([sys.executable, "-m", "marketnotes", *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
               env=env or {**os.environ, "COLUMNS": "200"})
    return proc.returncode, proc.stdout, proc.stderr


# --- one source of truth, found from anywhere --------------------------------------------


def test_the_repositorys_templates_and_params_are_the_packages_stock_files():
    """templates/ and the stock params files in the repository are symlinks to the package
    data: the tests, the docs and `make demo` use the very files the wheel ships."""
    assert set(STOCK) <= set(stock_templates())
    assert (REPO / "templates").is_symlink() and (REPO / "templates").resolve() == STOCK_TEMPLATES
    for name in ("demo", "weekly-rotation", "cpi-reaction", "monthly-review"):
        assert (REPO / "params" / f"{name}.yaml").resolve() == STOCK_PARAMS / f"{name}.yaml"


def test_a_stock_template_is_found_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARKETNOTES_TEMPLATES", raising=False)
    params = tmp_path / "elsewhere" / "note.yaml"
    for name in STOCK:
        assert locate_template(name, params) == STOCK_TEMPLATES / f"{name}.ipynb"
        assert locate_template(f"{name}.ipynb", None) == STOCK_TEMPLATES / f"{name}.ipynb"
    with pytest.raises(TemplateNotFound) as exc:
        locate_template("no-such-note", params)
    assert str(exc.value).endswith(f"{STOCK_TEMPLATES})")  # the stock folder is searched last


def test_the_users_own_template_wins_over_the_stock_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARKETNOTES_TEMPLATES", raising=False)
    (tmp_path / "params").mkdir()
    mine = tmp_path / "templates" / "weekly-rotation.ipynb"
    mine.parent.mkdir()
    mine.write_bytes((STOCK_TEMPLATES / "weekly-rotation.ipynb").read_bytes())
    assert locate_template("weekly-rotation", tmp_path / "params" / "n.yaml") == mine
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "cpi-reaction.ipynb").write_bytes(b"{}")
    monkeypatch.setenv("MARKETNOTES_TEMPLATES", str(shared))
    assert locate_template("cpi-reaction", None) == shared / "cpi-reaction.ipynb"


# --- marketnotes init ----------------------------------------------------------------------


def test_init_lays_out_a_project_whose_params_name_stock_templates(tmp_path):
    import yaml

    code, out, err = cli("init", "proj", cwd=tmp_path)
    assert code == 0, err
    proj = tmp_path / "proj"
    assert sorted(p.name for p in proj.iterdir()) == ["crontab.example", "params", "reports", "templates"]
    assert "next: cd proj && marketnotes render params/demo.yaml" in out
    assert not list(tmp_path.glob(".*"))  # no staging folder left
    for params, template, _ in NOTES:
        raw = yaml.safe_load((proj / "params" / f"{params}.yaml").read_text())
        assert raw["template"] == template and raw["source"] == "sample"
    assert yaml.safe_load((proj / "params" / "weekly-rotation.yaml").read_text())["source"] == "yahoo"  # the live one, for cron
    assert not list((proj / "reports").iterdir())
    assert (proj / "templates" / "my-note.ipynb").read_bytes() == (STOCK_TEMPLATES / "weekly-rotation.ipynb").read_bytes()
    assert "template: my-note" in (proj / "templates" / "README.md").read_text()
    cron = [line for line in (proj / "crontab.example").read_text().splitlines() if line and not line.startswith("#")]
    assert len(cron) == 1
    assert cron[0].startswith("30 18 * * 5 ") and f"cd {proj} && " in cron[0] and " render params/weekly-rotation.yaml" in cron[0]
    assert Path(cron[0].split(" && ")[1].split()[0]).is_file()  # marketnotes by absolute path: cron's PATH is minimal
    # every params file is valid, and its template is found from the project
    code, out, err = cli("params", "check", *sorted(str(p) for p in (proj / "params").glob("*.yaml")), cwd=proj)
    assert code == 0 and out.count("ok ") == 4, err


def test_init_into_an_existing_empty_folder_keeps_the_folder(tmp_path):
    here = tmp_path / "here"
    here.mkdir()
    inode = here.stat().st_ino
    code, out, err = cli("init", ".", cwd=here)
    assert code == 0, err
    assert here.stat().st_ino == inode  # a shell sitting in it keeps its working directory
    assert sorted(p.name for p in here.iterdir()) == ["crontab.example", "params", "reports", "templates"]
    assert "next: marketnotes render params/demo.yaml" in out


def test_init_refuses_a_folder_that_is_not_empty_and_leaves_it_alone(tmp_path):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "notes.txt").write_text("mine")
    code, out, err = cli("init", "proj", cwd=tmp_path)
    assert code == 2 and out == ""
    assert err.strip() == f"error: cannot lay out a project in {proj}: it is not empty (notes.txt); name a new or empty folder"
    assert sorted(p.name for p in proj.iterdir()) == ["notes.txt"] and not list(tmp_path.glob(".*"))
    (tmp_path / "file").write_text("x")
    code, _, err = cli("init", "file", cwd=tmp_path)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "it exists and is not a folder" in err


# --- the wheel, installed into a fresh venv --------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built once from the repository's sources (offline: no build isolation, no
    index), installed alone into a fresh venv. The venv sees this interpreter's dependencies
    through a .pth of their site-packages folders; marketnotes itself comes only from the
    wheel (the editable install's .pth is not read: a path in a .pth is not a site folder).
    (`venv --system-site-packages` would not do: a venv made from a venv gets the base
    interpreter's site-packages, not this venv's.)"""
    from setuptools import __version__ as setuptools_version

    if tuple(int(x) for x in setuptools_version.split(".")[:2]) < (77, 0):
        pytest.skip(f"setuptools {setuptools_version} cannot read the SPDX license string; install marketnotes[test]")
    root = tmp_path_factory.mktemp("installed")
    source = root / "source"  # a copy, so the build leaves nothing (build/, egg-info) in the repository
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV", "MARKETNOTES_TEMPLATES"))}
    env.update(PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1")
    dist = root / "dist"
    pip = [sys.executable, "-m", "pip"]
    built = run([*pip, "wheel", str(source), "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist)],
                capture_output=True, text=True, timeout=300, env=env, cwd=root)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("marketnotes-*.whl")
    venv = root / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], capture_output=True, text=True, timeout=120, env=env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    capture_output=True, text=True, timeout=60, env=env, check=True).stdout.strip())
    deps = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "_marketnotes_test_deps.pth").write_text("".join(f"{p}\n" for p in deps))
    inst = run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
               capture_output=True, text=True, timeout=300, env=env, cwd=root)
    assert inst.returncode == 0, inst.stdout + inst.stderr
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    # the dependencies' data files (nbconvert's HTML templates) sit under their own prefix,
    # where pip put them: jupyter looks there through JUPYTER_PATH
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(Path(sys.prefix) / "share" / "jupyter"), env.get("JUPYTER_PATH")) if p)
    env["MARKETNOTES_CACHE"] = str(root / "cache")
    env["COLUMNS"] = "200"
    return {"root": root, "venv": venv, "python": python, "wheel": wheel, "env": env}


@pytest.mark.slow
def test_the_wheel_carries_the_stock_templates_params_and_sample(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for name in STOCK:
        assert f"marketnotes/stock/templates/{name}.ipynb" in names
    for name in ("demo", "weekly-rotation", "cpi-reaction", "monthly-review"):
        assert f"marketnotes/stock/params/{name}.yaml" in names
    assert any(n.startswith("marketnotes/data/sample/") and n.endswith(".csv.gz") for n in names)


@pytest.mark.slow
def test_a_fresh_venv_with_only_the_wheel_renders_the_three_stock_notes_from_an_empty_folder(installed, tmp_path):
    venv, env = installed["venv"], installed["env"]
    work = tmp_path / "elsewhere"  # outside the repository, nothing in it
    work.mkdir()
    where = run([str(installed["python"]), "-c", "import marketnotes; print(marketnotes.__file__)"],
                capture_output=True, text=True, timeout=60, env=env, cwd=work, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(REPO), where  # the wheel's copy, not the repo's
    marketnotes = str(venv / "bin" / "marketnotes")
    init = run([marketnotes, "init", "proj"], capture_output=True, text=True, timeout=120, env=env, cwd=work)
    assert init.returncode == 0, init.stderr
    proj = work / "proj"
    assert str(venv / "bin" / "marketnotes") in (proj / "crontab.example").read_text()
    for params, template, as_of in NOTES:
        proc = run([marketnotes, "render", f"params/{params}.yaml", "--as-of", as_of], capture_output=True, text=True, timeout=400, env=env, cwd=proj)
        assert proc.returncode == 0, f"{params}: {proc.stderr}"
        folder = proj / "reports" / as_of / params
        assert {"note.html", "note.pdf", "note.ipynb", "facts.json", "manifest.json"} <= {p.name for p in folder.iterdir()}
        manifest = json.loads((folder / "manifest.json").read_text())
        used = Path(manifest["template"]["path"])
        assert used.name == f"{template}.ipynb" and used.is_relative_to(venv), used  # the stock template from the wheel
        assert manifest["fact_check"].startswith("fact check PASSED")
        assert "<img" in (folder / "note.html").read_text(encoding="utf-8") or "<svg" in (folder / "note.html").read_text(encoding="utf-8")
    # the user's own copy wins over the stock template of the same name
    shutil.copy(proj / "templates" / "my-note.ipynb", proj / "templates" / "weekly-rotation.ipynb")
    proc = run([marketnotes, "render", "params/demo.yaml", "--as-of", "2018-12-14", "--format", "html"], capture_output=True, text=True, timeout=400, env=env, cwd=proj)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((proj / "reports" / "2018-12-14" / "demo" / "manifest.json").read_text())
    assert Path(manifest["template"]["path"]) == (proj / "templates" / "weekly-rotation.ipynb").resolve()
    assert not list(work.rglob("*.failed.ipynb")) and not list(work.rglob(".*staging*"))
