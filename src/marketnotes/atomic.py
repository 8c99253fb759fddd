"""Atomic file writes: a crash or kill leaves the previous file or nothing, never half a file.

Write to a temporary file in the same directory (same filesystem), flush and fsync it, then
`os.replace` it over the target, which POSIX guarantees to be atomic.

A write that fails (a full disk fails the write, the fsync or even the rename) raises its
OSError naming the target when the system did not name a file: whoever reports it can then
say which folder could not be written (errors.full_disk).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        publish(tmp_path, target)
    except OSError as exc:  # the block's own write, too (a full disk fails the write first)
        if not exc.filename:
            exc.filename = str(target)
        raise
    finally:
        tmp_path.unlink(missing_ok=True)


def publish(written: Path, target: Path) -> None:
    """A file written beside `target` (the same folder: one filesystem) becomes it: flushed
    to disk, then renamed over it. An OSError names `target` when the system named no file."""
    try:
        with open(written, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(written, 0o644)
        os.replace(written, target)
    except OSError as exc:
        if not exc.filename:
            exc.filename = str(target)
        raise


def write_bytes(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: str | Path, text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))


def write_with(target: str | Path, writer: Callable[[Path], object]) -> Path:
    """For libraries that insist on writing a path themselves (pandas.to_parquet, page.pdf)."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)
