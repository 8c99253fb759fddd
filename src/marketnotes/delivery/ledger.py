"""The send ledger (`<reports>/.sent.jsonl`): one line per send, so cron never mails twice.

A send is identified by the note folder, the hash of the attached file and the hash of the
recipient list: re-sending the same note to the same people is skipped unless forced, while a
re-rendered note (new PDF) or a changed list goes out. Lines are appended under an exclusive
lock with one write each, so parallel batch workers cannot interleave them.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


def recipients_hash(recipients: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(a.lower() for a in recipients)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    key: str
    note: str
    as_of: str
    message_id: str
    recipients_hash: str
    delivered: list[str]
    refused: dict[str, str]
    sent_at: str


class Ledger:
    def __init__(self, path: Path):
        self.path = Path(path)

    @staticmethod
    def key_for(note_dir: Path, attachment: Path, recipients: list[str]) -> str:
        digest = hashlib.sha256(attachment.read_bytes()).hexdigest()[:16]
        return f"{note_dir.resolve()}|{digest}|{recipients_hash(recipients)}"

    def entries(self) -> list[Entry]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(Entry(**json.loads(line)))
        return out

    def delivered(self, key: str) -> tuple[set[str], Entry | None]:
        """Everyone who already has this note (over all sends with this key), and the last send."""
        hits = [e for e in self.entries() if e.key == key]
        return {r for e in hits for r in e.delivered}, (hits[-1] if hits else None)

    def record(self, key: str, note: str, as_of: str, message_id: str, recipients: list[str], refused: dict[str, str]) -> Entry:
        entry = Entry(
            key=key,
            note=note,
            as_of=as_of,
            message_id=message_id,
            recipients_hash=recipients_hash(recipients),
            delivered=[r for r in recipients if r not in refused],
            refused=refused,
            sent_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(asdict(entry)) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return entry
