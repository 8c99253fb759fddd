"""Delivery: a rendered note folder -> an email, sent once (ledger), or written as .eml (dry run).

    outcome = send_note(Path("reports/2018-12-21/demo"), load_recipients(Path("params/team.yaml")))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from marketnotes import atomic
from marketnotes.delivery.ledger import Ledger
from marketnotes.delivery.message import NoteFolder, Recipients, build_message, load_recipients
from marketnotes.delivery.smtp import SmtpSettings, get_transport, load_settings, register_transport

__all__ = ["NoteFolder", "Outcome", "Recipients", "SmtpSettings", "load_recipients", "load_settings", "register_transport", "send_note"]

DRY_RUN_SENDER = "marketnotes@localhost"


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "partial", "skipped", "dry-run"
    detail: str
    path: Path | None = None


def ledger_for(note_dir: Path) -> Ledger:
    """`reports/<as-of>/<note>/` -> `reports/.sent.jsonl`."""
    return Ledger(Path(note_dir).resolve().parent.parent / ".sent.jsonl")


def send_note(
    note_dir: Path,
    recipients: Recipients,
    settings: SmtpSettings | None = None,
    dry_run: bool = False,
    force: bool = False,
    transport: str = "smtp",
) -> Outcome:
    """Email the note at `note_dir` (or write it as note.eml: `dry_run`). The folder is
    verified against its manifest first (NoteFolder.open): a damaged note is refused before
    any file is written or any server is reached, `force` (which re-sends past the ledger)
    included."""
    note = NoteFolder.open(note_dir)
    sender = settings.sender if settings else DRY_RUN_SENDER
    domain = sender.rpartition("@")[2] or "marketnotes.local"
    msg = build_message(note, recipients, sender, domain)
    if dry_run:
        path = atomic.write_bytes(note.path / "note.eml", msg.as_bytes())
        return Outcome("dry-run", f"message written to {path}", path)
    ledger = ledger_for(note.path)
    key = Ledger.key_for(note.path, note.attachment, recipients.everyone)
    already, previous = ledger.delivered(key)
    pending = recipients.everyone if force else [r for r in recipients.everyone if r not in already]
    if not pending:
        return Outcome("skipped", f"already sent to these recipients at {previous.sent_at} (Message-ID {previous.message_id}); use --force to send again")
    if settings is None:
        settings = load_settings()
    refused = get_transport(transport, settings).send(msg, pending)
    refused_text = {r: f"{code} {text}" for r, (code, text) in refused.items()}
    ledger.record(key, note.name, note.facts.as_of, msg["Message-ID"], pending, refused_text)
    resumed = f" (resumed: {len(already)} already had it)" if already and not force else ""
    if refused_text:
        return Outcome("partial", f"delivered to {len(pending) - len(refused_text)}{resumed}, refused: " + "; ".join(f"{r} ({t})" for r, t in refused_text.items()))
    return Outcome("sent", f"sent to {len(pending)} recipient(s){resumed}, Message-ID {msg['Message-ID']}")
