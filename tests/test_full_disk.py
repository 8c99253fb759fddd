"""A full disk (or a quota, or a read-only mount) is bad output, not a crash: one line naming
the folder, exit 2, the previous note byte-identical and nothing staged left behind.

The real thing runs on a tiny tmpfs the test mounts (root only; skipped with the reason
elsewhere, e.g. in CI without privileges). The transaction's own mapping is also tested
in-process, with no mount: a write that fails with ENOSPC at the lowest level (fsync, the
kernel's /dev/full).
"""

import errno
import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from marketnotes import atomic
from marketnotes.errors import OutputNotWritable
from marketnotes.transaction import NoteTransaction
from conftest import run

ENV = {"COLUMNS": "300", "PATH": "/usr/bin:/bin"}
FULL = "no space left on device; free some space there or choose another --output-dir"


def cli(tmp_path, *args, timeout=180):
    proc = run([sys.executable, "-m", "marketnotes", *map(str, args)], capture_output=True, text=True, timeout=timeout, env={**ENV, "HOME": str(tmp_path)})
    return proc.returncode, proc.stdout, proc.stderr


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def staged(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if ".staging-" in p.name or p.name.endswith(".failed.ipynb") or p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def good_note(repo, tmp_path_factory):
    """The demo note (HTML only: no browser needed), rendered once on an ordinary disk."""
    tmp = tmp_path_factory.mktemp("good")
    code, _, err = cli(tmp, "render", repo / "params" / "demo.yaml", "--output-dir", tmp / "reports", "--format", "html")
    assert code == 0, err
    return tmp / "reports"


@pytest.fixture
def tiny_disk(tmp_path):
    """mount(size) -> a fresh tmpfs of `size` bytes at tmp_path/fs, unmounted afterwards."""
    mounted: list[Path] = []

    def mount(size: int, *options: str) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root; the in-process tests below cover the mapping")
        point = tmp_path / "fs"
        point.mkdir()
        proc = run(["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs", str(point)], capture_output=True, text=True, timeout=30)
        if proc.returncode:
            pytest.skip(f"cannot mount a tmpfs here (no privilege to mount?): {proc.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        if run(["umount", str(point)], capture_output=True, timeout=30).returncode:
            run(["umount", "-l", str(point)], capture_output=True, timeout=30)


def full_disk_holding(good_note, tiny_disk) -> Path:
    """A tmpfs with just room for the good note (and a batch summary): a second version of
    it cannot be staged beside the first."""
    pages = sum(-(-p.stat().st_size // 4096) * 4096 for p in good_note.rglob("*") if p.is_file())
    disk = tiny_disk(pages + 64 * 1024)
    run(["cp", "-a", str(good_note), str(disk / "reports")], check=True, timeout=30)
    return disk


@pytest.mark.slow
def test_a_render_into_a_full_disk_is_one_line_and_the_previous_note_stays(repo, good_note, tiny_disk, tmp_path):
    disk = full_disk_holding(good_note, tiny_disk)
    note = disk / "reports" / "2018-12-21" / "demo"
    before = digest(note)
    code, out, err = cli(tmp_path, "render", repo / "params" / "demo.yaml", "--output-dir", disk / "reports", "--format", "html", "--set", "title=Changed")
    assert code == 2, err
    assert err == f"error: cannot write notes to {note.parent}: {FULL}\n"
    assert out == ""
    assert digest(note) == before
    assert sorted(p.name for p in note.parent.iterdir()) == [".demo.lock", "demo"] and staged(disk) == []


@pytest.mark.slow
def test_a_backfill_into_a_full_disk_records_it_and_starts_no_more_notes_there(repo, good_note, tiny_disk, tmp_path):
    disk = full_disk_holding(good_note, tiny_disk)
    note = disk / "reports" / "2018-12-21" / "demo"
    before = digest(note)
    code, out, err = cli(
        tmp_path, "batch", repo / "params" / "demo.yaml", "--from", "2018-12-03", "--to", "2018-12-21", "--workers", "1",
        "--output-dir", disk / "reports", "--format", "html", "--force", timeout=300,
    )
    assert code == 1, err  # a batch with failed notes; each note's record says why
    assert "Traceback" not in err + out
    summary = json.loads(next((disk / "reports").glob("batch-*.json")).read_text())
    records = sorted(summary["results"], key=lambda r: r["as_of"])
    assert [r["as_of"] for r in records] == ["2018-12-07", "2018-12-14", "2018-12-21"]
    for r in records:
        assert r["status"] == "failed" and r["error"] == f"cannot write notes to {disk / 'reports' / r['as_of']}: {FULL}"
    # the first note found the disk full; the worker started no other note there
    assert max(r["seconds"] for r in records[1:]) < records[0]["seconds"]
    assert digest(note) == before and staged(disk) == []


@pytest.mark.slow
def test_a_message_written_to_a_full_disk_is_one_line(good_note, tiny_disk, tmp_path):
    """Outside a render too (send --dry-run writes note.eml): the folder, in one line."""
    disk = full_disk_holding(good_note, tiny_disk)
    note = disk / "reports" / "2018-12-21" / "demo"
    with open(disk / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    before = digest(note)
    team = tmp_path / "team.yaml"
    team.write_text("to: [desk@example.com]\n")
    code, out, err = cli(tmp_path, "send", note, "--to", team, "--dry-run")
    assert code == 2, err
    assert err == f"error: cannot write notes to {note}: {FULL}\n" and out == ""
    assert digest(note) == before and staged(disk) == []


@pytest.mark.slow
def test_a_read_only_mount_is_one_line_before_anything_runs(repo, good_note, tiny_disk, tmp_path):
    disk = full_disk_holding(good_note, tiny_disk)
    assert run(["mount", "-o", "remount,ro", str(disk)], timeout=30).returncode == 0
    before = digest(disk / "reports" / "2018-12-21" / "demo")
    code, _, err = cli(tmp_path, "render", repo / "params" / "demo.yaml", "--output-dir", disk / "reports", "--format", "html")
    assert code == 2 and err == f"error: cannot write notes to {disk / 'reports'}: read-only file system; choose another --output-dir\n", err
    assert digest(disk / "reports" / "2018-12-21" / "demo") == before


# --- no mount needed: the transaction, in-process ----------------------------------------------


@pytest.fixture
def previous(tmp_path) -> Path:
    """A published note to protect."""
    dest = tmp_path / "reports" / "2018-12-21" / "demo"
    with NoteTransaction(dest) as folder:
        atomic.write_text(folder.path("note.html"), "<p>the previous note</p>")
        folder.publish()
    return dest


def test_enospc_from_fsync_leaves_as_output_not_writable_naming_the_folder(previous, monkeypatch):
    """A full disk may only say so at fsync (delayed allocation, NFS): the atomic write's
    lowest call fails, the transaction turns it into the one-line error, exit 2."""
    real_fsync = os.fsync

    def full(fd):
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".note.html."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    if not Path("/proc/self/fd").exists():
        pytest.skip("needs /proc/self/fd to tell which file is being synced")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputNotWritable) as caught, NoteTransaction(previous) as folder:
        atomic.write_text(folder.path("note.html"), "<p>the new note</p>" * 1000)
        folder.publish()
    assert caught.value.exit_code == 2 and caught.value.disk_full
    assert str(caught.value) == f"cannot write notes to {previous.parent}: {FULL}"
    assert (previous / "note.html").read_text() == "<p>the previous note</p>"
    assert sorted(p.name for p in previous.parent.iterdir()) == [".demo.lock", "demo"]


def test_a_write_the_kernel_refuses_for_space_is_mapped_whoever_wrote_it(previous):
    """papermill saves the notebook itself (no atomic write, no file name in its error): a
    real ENOSPC from the kernel, raised inside the transaction, is mapped all the same."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with pytest.raises(OutputNotWritable) as caught, NoteTransaction(previous) as folder:
        (folder.path("note.ipynb")).write_text("{}")
        with open("/dev/full", "wb", buffering=0) as full:
            full.write(b"{}")
    assert str(caught.value) == f"cannot write notes to {previous.parent}: {FULL}"
    assert (previous / "note.html").read_text() == "<p>the previous note</p>"
    assert sorted(p.name for p in previous.parent.iterdir()) == [".demo.lock", "demo"]


def test_other_os_errors_are_not_taken_for_a_full_disk(previous):
    with pytest.raises(FileNotFoundError), NoteTransaction(previous) as folder:
        (folder.path("missing") / "x").write_text("x")
    assert sorted(p.name for p in previous.parent.iterdir()) == [".demo.lock", "demo"]
