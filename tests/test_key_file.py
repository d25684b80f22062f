"""The key file: generated once with mode 0600, reused after, never overriding the environment."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tactful.key_file import KeyFileError, read_keys, saved_keys
from tactful.settings import Settings


def settings_in(data_dir: Path, **environ: str) -> Settings:
    return Settings.from_env({"TACTFUL_DATA_DIR": str(data_dir), **environ})


def test_missing_keys_are_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = settings_in(tmp_path / "var").with_saved_keys()
    assert first.secret_key.startswith("sk_")
    assert first.publishable_key.startswith("pk_")
    path = tmp_path / "var" / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = settings_in(tmp_path / "var").with_saved_keys()
    assert (again.secret_key, again.publishable_key) == (first.secret_key, first.publishable_key)
    assert again.link_secret == first.link_secret


def test_the_environment_wins_and_is_never_written(tmp_path: Path) -> None:
    keyed = settings_in(
        tmp_path, TACTFUL_SECRET_KEY="sk_env_0123456789", TACTFUL_PUBLISHABLE_KEY="pk_env_01234"
    )
    assert keyed.with_saved_keys() is keyed
    assert not (tmp_path / "keys.json").exists()
    half = settings_in(tmp_path, TACTFUL_SECRET_KEY="sk_env_0123456789").with_saved_keys()
    assert half.secret_key == "sk_env_0123456789"
    assert set(read_keys(tmp_path / "keys.json")) == {"publishable_key"}


def test_a_key_missing_from_the_file_is_added_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"secret_key": "sk_kept"}), encoding="utf-8")
    path.chmod(0o600)
    keys = saved_keys(path, ["secret_key", "publishable_key"])
    assert keys["secret_key"] == "sk_kept"
    assert read_keys(path) == keys
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("text", ["{not json", '["sk"]', '{"secret_key": ""}'])
def test_a_broken_key_file_is_named_not_overwritten(tmp_path: Path, text: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KeyFileError, match=r"keys\.json"):
        saved_keys(path, ["secret_key"])
    assert path.read_text(encoding="utf-8") == text
