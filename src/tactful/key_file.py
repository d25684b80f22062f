"""The generated API keys, kept in DATA_DIR/keys.json (mode 0600) so every later run reuses them."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

KEY_FILE_NAME = "keys.json"
KEY_PREFIXES: Mapping[str, str] = {"secret_key": "sk_", "publishable_key": "pk_"}
_OWNER_ONLY = 0o600


class KeyFileError(ValueError):
    """The key file exists but cannot be read as tactful's keys."""


def generate_key(name: str) -> str:
    """A new random key with the prefix that says which key it is."""
    return KEY_PREFIXES[name] + secrets.token_urlsafe(24)


def read_keys(path: Path) -> dict[str, str]:
    """The keys saved in `path`; empty when there is no file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeyFileError(f"{path}: not valid JSON ({exc.msg}); fix or delete it") from exc
    if not isinstance(data, dict) or not all(
        isinstance(v, str) and v for k, v in data.items() if k in KEY_PREFIXES
    ):
        raise KeyFileError(f"{path}: expected an object of non-empty key strings")
    return {k: v for k, v in data.items() if k in KEY_PREFIXES}


def saved_keys(path: Path, names: Iterable[str]) -> dict[str, str]:
    """The saved value of each of `names`, generating and saving (0600) the ones missing."""
    wanted = list(names)
    saved = read_keys(path)
    missing = [name for name in wanted if name not in saved]
    if missing:
        saved = _add_keys(path, saved, missing)
    return {name: saved[name] for name in wanted}


def _add_keys(path: Path, saved: dict[str, str], missing: list[str]) -> dict[str, str]:
    """Write `saved` plus new keys; a first writer racing another keeps the other's file."""
    updated = {**saved, **{name: generate_key(name) for name in missing}}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(updated, indent=2, sort_keys=True) + "\n"
    if not saved:
        try:
            _write_new(path, text)
        except FileExistsError:  # another process saved its keys first: use those
            return {**read_keys(path), **saved_keys(path, missing)}
        return updated
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    _write_new(staging, text)
    os.replace(staging, path)
    return updated


def _write_new(path: Path, text: str) -> None:
    """Create `path` readable by its owner only, failing if it already exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _OWNER_ONLY)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
