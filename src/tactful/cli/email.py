"""`tactful sequences load|preview|report` and `tactful worker`: email sequences from the shell."""

from __future__ import annotations

import json
import mailbox
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.text import Text

from tactful.cli._app import app, console, fail, load_settings, open_services, with_saved_keys
from tactful.domain.sequences import SequenceFileError
from tactful.domain.sequences.arf import ArfError
from tactful.services.due_work import run_until

sequences_app = typer.Typer(help="Email sequences.", no_args_is_help=True)
app.add_typer(sequences_app, name="sequences")


def parse_now(text: str | None) -> datetime:
    """--now as an aware UTC datetime (naive means UTC); the clock when absent."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"--now: not an ISO-8601 instant: {text!r}", 2) from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@sequences_app.command("load")
def load(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="YAML file.")) -> None:
    """Check and store the sequences of a YAML file (a new version for each one changed)."""
    services = open_services(load_settings())
    try:
        saved = services.sequences.load_file(file, services.clock.now())
    except SequenceFileError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    for item in saved:
        state = "stored" if item.created else "unchanged"
        console.print(f"{item.sequence_id}: version {item.version} ({state})", highlight=False)


@sequences_app.command("preview")
def preview_command(
    sequence: str = typer.Argument(..., help="Id of a live sequence."),
    customer: str = typer.Option(..., "--customer", help="Customer id."),
    now: str | None = typer.Option(None, "--now", help="Pretend the trigger fires then."),
    html: bool = typer.Option(False, "--html", help="Print the HTML parts, not the text."),
) -> None:
    """Render what the customer would get from the sequence, and when, without sending."""
    from tactful.services.email_preview import PreviewError, preview

    settings = with_saved_keys(load_settings())
    services = open_services(settings)
    try:
        shown = preview(services.email, sequence, customer, parse_now(now))
    except PreviewError as exc:
        raise fail(str(exc)) from exc
    finally:
        services.close()
    console.print(f"{shown.sequence_id} v{shown.version} for {shown.customer_id}", highlight=False)
    if shown.held_out:
        console.print("held out: enrolled but sent nothing (the sequence's holdout)")
    if shown.blocked:
        console.print(f"would not be sent now: {shown.blocked}", highlight=False)
    if any(mail.branch for mail in shown.mails):
        console.print("branch mails: only the arm matching what the customer did goes out")
    for mail in shown.mails:
        arm = f" [branch: {mail.branch}]" if mail.branch else ""
        console.rule(Text(f"step {mail.step} ({mail.kind}){arm} at {mail.due_at.isoformat()}"))
        if mail.note:
            console.print(mail.note, highlight=False)
            continue
        console.print(f"Subject: {mail.subject}", highlight=False)
        console.print(mail.html if html else mail.text, highlight=False, markup=False)


@sequences_app.command("report")
def report_command(
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Per sequence: enrolled, held out, sent, clicked and (tracked sequences only) opened."""
    from tactful.services.email_report import OPENS_NOTE

    services = open_services(load_settings())
    try:
        figures = services.email_report.figures()
    finally:
        services.close()
    if as_json:
        body = {"sequences": [f.as_json() for f in figures], "opens_note": OPENS_NOTE}
        typer.echo(json.dumps(body, indent=1))
        return
    console.print(
        f"{'sequence':24} {'enrolled':>9} {'held out':>9} {'sent':>7} {'clicked':>16}  "
        "opens (tracked mails only)",
        highlight=False,
    )
    for f in figures:
        clicked = f"{f.clicked:,} ({_percent(f.click_rate)})"
        opens = "not tracked"
        if f.tracked is not None:
            opens = f"{f.opened or 0:,} of {f.tracked:,} ({_percent(f.open_rate)})"
        console.print(
            f"{f.sequence_id:24} {f.enrolled:>9,} {f.held_out:>9,} {f.sent:>7,} {clicked:>16}  "
            f"{opens}",
            highlight=False,
        )
    console.print(OPENS_NOTE, highlight=False)


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _reports(path: Path) -> list[tuple[str, bytes]]:
    """(where, raw bytes) of each message in a Maildir folder, an mbox file or one .eml file."""
    if path.is_dir():
        box = mailbox.Maildir(path, create=False)
        return [(f"{path}/{key}", box.get_bytes(key)) for key in sorted(box.keys())]
    raw = path.read_bytes()
    if raw.startswith(b"From "):
        mbox = mailbox.mbox(path, create=False)
        return [(f"{path}#{i + 1}", mbox.get_bytes(key)) for i, key in enumerate(mbox.keys())]
    return [(str(path), raw)]


@app.command()
def complaints(
    paths: list[Path] = typer.Argument(
        ..., exists=True, help="ARF reports: .eml files, mbox files or Maildir folders."
    ),
) -> None:
    """Act on feedback-loop reports (ARF, RFC 5965): each complaint suppresses the address and
    ends every sequence of the customer; reading a report again changes nothing."""
    services = open_services(with_saved_keys(load_settings()))
    failed = 0
    try:
        for path in paths:
            for where, raw in _reports(path):
                try:
                    read = services.email_feedback.complaint(raw)
                except ArfError as exc:
                    failed += 1
                    console.print(f"{where}: {exc}", highlight=False, markup=False)
                    continue
                console.print(f"{where}: {read.summary}", highlight=False, markup=False)
    finally:
        services.close()
    if failed:
        raise fail(f"{failed} message(s) were not feedback reports", 2)


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Do the work due now, then exit."),
    now: str | None = typer.Option(None, "--now", help="With --once: act as if it were then."),
    as_json: bool = typer.Option(False, "--json", help="Print each run as a JSON line."),
) -> None:
    """Enrol customers, send due email steps (and other due work); runs until stopped."""
    if now is not None and not once:
        raise fail("--now needs --once", 2)
    settings = with_saved_keys(load_settings())
    services = open_services(settings)
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    else:
        stop.set()

    def report(at: datetime, handled: dict[str, int]) -> None:
        if as_json:
            print(json.dumps({"at": at.isoformat(), "handled": handled}), flush=True)
            return
        parts = ", ".join(f"{k}: {v}" for k, v in handled.items())
        console.print(f"{at:%Y-%m-%d %H:%M:%S}Z {parts}", highlight=False)

    try:
        run_until(services.due_work, lambda: parse_now(now), settings.worker_interval, stop, report)
    finally:
        services.close()
