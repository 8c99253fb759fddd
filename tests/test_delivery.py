"""Email delivery against a real SMTP server on loopback (aiosmtpd), STARTTLS and AUTH included."""

import email
import json
import shutil
import socket
import sys
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from marketnotes.archive.listing import headline_of
from marketnotes import pipeline
from marketnotes.delivery import load_recipients, load_settings, send_note
from marketnotes.delivery.smtp import SmtpSettings
from marketnotes.errors import ParamsError, SmtpConfigError, SmtpRefused
from conftest import run

PASSWORD = "s3cr3t-Pa55-word-7731"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives; can refuse DATA or a recipient."""

    def __init__(self, fail_data=0, refuse=()):
        self.messages, self.fail_data, self.refuse = [], fail_data, set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_data:
            self.fail_data -= 1
            return "451 4.3.0 Temporary local problem, try again"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content, getattr(session, "authenticated", None)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    servers = []

    def start(handler, **kwargs):
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        servers.append(controller)
        return port

    yield start
    for c in servers:
        c.stop()


@pytest.fixture(scope="module")
def rendered(repo, tmp_path_factory):
    out = tmp_path_factory.mktemp("rendered")
    spec, prices = pipeline.prepare(repo / "params" / "demo.yaml", output_dir=out)
    return pipeline.render_note(spec, prices).spec.out_dir


@pytest.fixture
def note(rendered, tmp_path):
    target = tmp_path / "reports" / rendered.parent.name / rendered.name
    shutil.copytree(rendered, target)
    return target


@pytest.fixture
def team(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text("to: [desk@example.com, pm@example.com]\nbcc: [archive@example.com]\n")
    return load_recipients(path)


def plain(port, **extra):
    return SmtpSettings(host="127.0.0.1", port=port, sender="notes@example.com", tls="none", backoff_seconds=0.01, **extra)


def test_message_arrives_with_the_pdf_byte_identical_and_a_second_send_is_skipped(smtp, note, team):
    inbox = Inbox()
    port = smtp(inbox)
    outcome = send_note(note, team, plain(port))
    assert outcome.status == "sent"
    mail_from, rcpts, content, _ = inbox.messages[0]
    assert mail_from == "notes@example.com" and sorted(rcpts) == ["archive@example.com", "desk@example.com", "pm@example.com"]
    msg = email.message_from_bytes(content, policy=policy.default)
    assert "archive@example.com" not in str(msg)  # bcc stays off the headers
    facts = json.loads((note / "facts.json").read_text())
    assert msg["Subject"].strip() == "NASDAQ Composite enters a bear market, 21.9% below its record (Dec. 21, 2018)"  # the stdlib folds a long subject before its first word
    assert msg["Subject"].strip().startswith(headline_of(note / "note.ipynb"))  # the headline the note showed, not one recomposed
    body = msg.get_body(("plain",)).get_content()
    assert "The NASDAQ Composite entered a bear market on Friday" in body and "It plunged 8.4% this week" in body and "6,332.99" in body and facts["as_of"] == "2018-12-21"
    assert "Not investment advice" in msg.get_body(("html",)).get_content()
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "demo-2018-12-21.pdf"
    assert attachment.get_content() == (note / "note.pdf").read_bytes()

    again = send_note(note, team, plain(port))
    assert again.status == "skipped" and "already sent" in again.detail and len(inbox.messages) == 1
    assert send_note(note, team, plain(port), force=True).status == "sent" and len(inbox.messages) == 2


def test_starttls_and_auth(smtp, note, team, tmp_path, monkeypatch):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"notes" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    port = smtp(inbox, tls_context=context, require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    monkeypatch.setenv("MARKETNOTES_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MARKETNOTES_SMTP_PORT", str(port))
    monkeypatch.setenv("MARKETNOTES_SMTP_USER", "notes")
    monkeypatch.setenv("MARKETNOTES_SMTP_FROM", "notes@example.com")
    monkeypatch.setenv("MARKETNOTES_SMTP_TLS", "starttls")
    monkeypatch.setenv("MARKETNOTES_SMTP_CAFILE", str(cert))
    monkeypatch.setenv("MARKETNOTES_SMTP_PASSWORD", PASSWORD)
    settings = load_settings()
    assert PASSWORD not in repr(settings)
    assert send_note(note, team, settings).status == "sent"
    assert inbox.messages[0][3] is True  # the server saw an authenticated session


def test_transient_4xx_is_retried_then_accepted(smtp, note, team):
    inbox = Inbox(fail_data=2)
    port = smtp(inbox)
    assert send_note(note, team, plain(port)).status == "sent"
    assert len(inbox.messages) == 1


def test_auth_failure_is_a_clear_error_without_the_password(smtp, note, team):
    def deny(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=False, handled=False)  # handled=False: aiosmtpd answers 535 itself

    port = smtp(Inbox(), authenticator=deny, auth_require_tls=False)
    with pytest.raises(SmtpRefused) as exc:
        send_note(note, team, plain(port, user="notes", password=PASSWORD))
    assert exc.value.code == 535 and "refused the login: 535" in str(exc.value)
    assert PASSWORD not in str(exc.value)
    assert not (note.parent.parent / ".sent.jsonl").exists()


def test_partial_refusal_records_who_got_it_and_a_rerun_sends_only_to_the_rest(smtp, note, team):
    refusing = Inbox(refuse={"pm@example.com"})
    port = smtp(refusing)
    outcome = send_note(note, team, plain(port))
    assert outcome.status == "partial" and "pm@example.com (550" in outcome.detail
    entry = json.loads((note.parent.parent / ".sent.jsonl").read_text().splitlines()[-1])
    assert sorted(entry["delivered"]) == ["archive@example.com", "desk@example.com"]
    assert list(entry["refused"]) == ["pm@example.com"]
    accepting = Inbox()
    port2 = smtp(accepting)
    assert send_note(note, team, plain(port2)).status == "sent"
    assert accepting.messages[0][1] == ["pm@example.com"]


def test_dry_run_needs_no_smtp_and_writes_the_exact_message(note, team, monkeypatch):
    for var in ("HOST", "FROM", "PASSWORD"):
        monkeypatch.delenv(f"MARKETNOTES_SMTP_{var}", raising=False)
    outcome = send_note(note, team, None, dry_run=True)
    assert outcome.status == "dry-run" and (note / "note.eml").exists()
    msg = email.message_from_bytes((note / "note.eml").read_bytes(), policy=policy.default)
    assert msg["To"] == "desk@example.com, pm@example.com"
    with pytest.raises(SmtpConfigError, match="MARKETNOTES_SMTP_HOST"):
        load_settings()


def test_password_in_a_config_file_is_refused(tmp_path):
    cfg = tmp_path / "smtp.yaml"
    cfg.write_text(f"host: mail.example.com\nfrom: a@example.com\npassword: {PASSWORD}\n")
    with pytest.raises(ParamsError) as exc:
        load_settings(cfg)
    assert PASSWORD not in str(exc.value)


def test_no_file_or_log_ever_holds_the_password(smtp, note, tmp_path, caplog):
    inbox = Inbox(fail_data=1)
    port = smtp(inbox)
    team = tmp_path / "team.yaml"
    team.write_text("to: [desk@example.com]\ninline_charts: true\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MARKETNOTES_SMTP_HOST": "127.0.0.1", "MARKETNOTES_SMTP_PORT": str(port),
           "MARKETNOTES_SMTP_FROM": "notes@example.com", "MARKETNOTES_SMTP_TLS": "none", "MARKETNOTES_SMTP_PASSWORD": PASSWORD}
    runs = [run([sys.executable, "-m", "marketnotes", "send", str(note), "--to", str(team), *extra], capture_output=True, text=True, env=env) for extra in ([], [], ["--dry-run"])]
    assert runs[0].returncode == 0 and "sent" in runs[0].stdout
    assert "skipped" in runs[1].stdout
    msg = email.message_from_bytes(inbox.messages[0][2], policy=policy.default)
    assert len([p for p in msg.walk() if p.get_content_type() == "image/png"]) == 4  # inline charts by cid
    seen = [r.stdout + r.stderr for r in runs] + [caplog.text, inbox.messages[0][2].decode(errors="replace")]
    for path in note.parent.parent.rglob("*"):
        if path.is_file():
            seen.append(path.read_bytes().decode(errors="replace"))
    assert not [s for s in seen if PASSWORD in s]


def test_batch_email_reports_each_delivery_and_checks_smtp_settings_before_rendering(smtp, repo, tmp_path):
    inbox = Inbox()
    port = smtp(inbox)
    team = tmp_path / "team.yaml"
    team.write_text("to: [desk@example.com]\n")
    out = tmp_path / "reports"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "250", "MARKETNOTES_SMTP_HOST": "127.0.0.1",
           "MARKETNOTES_SMTP_PORT": str(port), "MARKETNOTES_SMTP_FROM": "notes@example.com", "MARKETNOTES_SMTP_TLS": "none"}
    cmd = [sys.executable, "-m", "marketnotes", "batch", str(repo / "params" / "demo.yaml"), "--from", "2018-12-10", "--to", "2018-12-21",
           "--output-dir", str(out), "--email", str(team)]
    unconfigured = {k: v for k, v in env.items() if k != "MARKETNOTES_SMTP_HOST"}
    refused = run(cmd, capture_output=True, text=True, env=unconfigured)
    assert refused.returncode == 5 and "MARKETNOTES_SMTP_HOST" in refused.stderr
    assert not out.exists()  # nothing rendered before the settings were found wanting
    done = run(cmd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(next(out.glob("batch-*.json")).read_text())
    assert [r["email"].split(":")[0] for r in summary["results"]] == ["sent", "sent"]
    assert len(inbox.messages) == 2 and "email" in done.stdout


def _send_cli(note, team, tmp_path, port, *extra):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "300", "MARKETNOTES_SMTP_HOST": "127.0.0.1",
           "MARKETNOTES_SMTP_PORT": str(port), "MARKETNOTES_SMTP_FROM": "notes@example.com", "MARKETNOTES_SMTP_TLS": "none"}
    return run([sys.executable, "-m", "marketnotes", "send", str(note), "--to", str(team), *extra], capture_output=True, text=True, env=env, timeout=60)


def test_a_damaged_note_is_never_sent_nor_written_as_a_message(smtp, note, tmp_path):
    """`send` checks the folder as `verify` does before anything: a PDF changed since the
    render is refused in one line naming it (exit 4, as verify), dry run and --force too."""
    inbox = Inbox()
    port = smtp(inbox)
    team = tmp_path / "team.yaml"
    team.write_text("to: [desk@example.com]\n")
    with open(note / "note.pdf", "ab") as pdf:
        pdf.write(b"%% appended after the render\n")
    before = sorted(p.name for p in note.parent.parent.rglob("*"))
    for extra in (["--dry-run"], [], ["--force"]):
        proc = _send_cli(note, team, tmp_path, port, *extra)
        assert proc.returncode == 4, proc.stderr
        assert proc.stderr.startswith(f"error: {note}/note.pdf differs from the manifest") and proc.stderr.count("\n") == 1, proc.stderr
        assert "nothing sent" in proc.stderr and "Traceback" not in proc.stderr and proc.stdout == ""
    assert inbox.messages == []
    assert sorted(p.name for p in note.parent.parent.rglob("*")) == before  # no note.eml, no ledger
    (note / "note.pdf").write_bytes((note / "note.pdf").read_bytes().removesuffix(b"%% appended after the render\n"))
    assert _send_cli(note, team, tmp_path, port).returncode == 0 and len(inbox.messages) == 1  # intact again: sent


def test_a_folder_that_is_not_a_note_is_bad_input(smtp, note, tmp_path):
    inbox = Inbox()
    port = smtp(inbox)
    team = tmp_path / "team.yaml"
    team.write_text("to: [desk@example.com]\n")
    cases = {note.parent: "no manifest.json", tmp_path / "nope": "no such folder", team: "a file, not a folder"}
    for folder, reason in cases.items():
        for extra in ([], ["--dry-run"]):
            proc = _send_cli(folder, team, tmp_path, port, *extra)
            assert proc.returncode == 2, proc.stderr
            assert proc.stderr == f"error: {folder} is not a rendered note ({reason}); give a note folder such as reports/<as-of>/<name>\n"
    assert inbox.messages == [] and not (note.parent / "note.eml").exists()
