"""A note folder is one transaction: readers see the previous complete note or the new one.

A note is rendered into a hidden staging folder beside its destination
(`reports/<date>/.<name>.staging-<pid>-<rand>/`) and published by one atomic step:

- Linux: `renameat2(RENAME_EXCHANGE)` swaps the staging folder and the destination in one
  system call, so the path `reports/<date>/<name>` never stops existing and never holds a
  mix; the previous version, now at the staging path, is then deleted.
- Elsewhere (or on a filesystem without exchange): a rename pair, destination to
  `.<name>.previous`, then staging to destination. A kill between the two leaves no
  destination and a `.previous` folder, which the next run of that note puts back first.

The path stays the same across versions (no symlink flip), so a send ledger keyed on the
note's path and users' bookmarks keep working. A per-note lock (`fcntl.flock` on
`.<name>.lock` beside the folder) makes a second concurrent render of the same note fail at
once with a clear line; the kernel releases it when its owner dies, even on SIGKILL. Leftover
staging folders of killed runs are removed by the next run of the same note, under its lock.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from marketnotes import faults
from marketnotes.errors import NoteBusy, OutputNotWritable, full_disk

RENAME_EXCHANGE = 2
AT_FDCWD = -100


class NoteTransaction:
    """`path(name)` is where a stage writes; `publish()` makes the whole set visible at once."""

    def __init__(self, destination: Path):
        self.destination = Path(destination)
        self.parent, self.name = self.destination.parent, self.destination.name
        self._lock_fd: int | None = None
        self.staging: Path | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> NoteTransaction:
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            self._lock()
            self._recover()
            self.staging = self.parent / f".{self.name}.staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            self.staging.mkdir()
        except PermissionError:
            self._unlock()
            raise OutputNotWritable(self.parent) from None
        except OSError as exc:
            self._unlock()
            raise full_disk(exc, self.parent) or OutputNotWritable(self.parent, exc.strerror or str(exc)) from None
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """Remove the staging folder and release the lock, whatever happened. A write that
        failed for a full disk, a quota or a read-only mount (the notebook papermill saves,
        an atomic write, the publish) is the output's fault: it leaves as one line naming
        the note's folder (exit 2), the previous note untouched and nothing staged left."""
        try:
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._unlock()
        if isinstance(exc, OSError) and (unwritable := full_disk(exc, self._folder_of(exc))) is not None:
            raise unwritable from None

    def _folder_of(self, exc: OSError) -> Path:
        """The folder to name for a failed write: the note's own parent for anything written
        in or beside the note (the staging folder is hidden and gone by now), else the
        folder of the file the error names."""
        named = Path(os.fsdecode(exc.filename)) if exc.filename else None
        if named is None or named.absolute().is_relative_to(self.parent.absolute()):
            return self.parent
        return named.parent

    def path(self, filename: str) -> Path:
        """Where to write `filename` of this note now (inside the staging folder)."""
        assert self.staging is not None, "use the transaction as a context manager"
        return self.staging / filename

    @property
    def failed_notebook(self) -> Path:
        """A failed run's partial notebook sits beside the note, never inside it."""
        return self.parent / f"{self.name}.failed.ipynb"

    def publish(self) -> Path:
        """Swap the staging folder in; the previous version is gone once this returns."""
        assert self.staging is not None
        _fsync_tree(self.staging)
        faults.checkpoint("publish")
        if not self.destination.exists():
            os.rename(self.staging, self.destination)
        elif not _exchange(self.staging, self.destination):
            previous = self.parent / f".{self.name}.previous"
            shutil.rmtree(previous, ignore_errors=True)
            os.rename(self.destination, previous)
            faults.checkpoint("publish-between-renames")
            os.rename(self.staging, self.destination)
            os.rename(previous, self.staging)  # deleted below, like an exchanged old version
        _fsync_dir(self.parent)
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging = None
        self.failed_notebook.unlink(missing_ok=True)
        return self.destination

    # --- lock and recovery -------------------------------------------------------------

    def _lock(self) -> None:
        fd = os.open(self.parent / f".{self.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            raise NoteBusy(self.destination, holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the last descriptor releases the flock
            self._lock_fd = None

    def _recover(self) -> None:
        """Under the lock: put back a version a killed rename pair left aside, and remove
        the staging folders of killed runs (nobody else can be using them)."""
        previous = self.parent / f".{self.name}.previous"
        if previous.exists() and not self.destination.exists():
            os.rename(previous, self.destination)
        shutil.rmtree(previous, ignore_errors=True)
        for leftover in self.parent.glob(f".{self.name}.staging-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_writable(folder: Path) -> None:
    """Fail now, naming the folder, if notes cannot be written under `folder`; create nothing.

    A real probe (a folder made and removed in the nearest existing ancestor) rather than
    permission bits: root passes every permission check yet cannot write a read-only mount.
    """
    folder = Path(folder).absolute()
    base = next(p for p in (folder, *folder.parents) if p.exists())
    if not base.is_dir():
        raise OutputNotWritable(folder, f"{base} is a file, not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".marketnotes-probe-", dir=base))
    except OSError as exc:
        raise full_disk(exc, folder) or OutputNotWritable(folder, exc.strerror or str(exc)) from None
