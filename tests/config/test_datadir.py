"""CORE-04: data-dir resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderboard.config import export_data_dir, resolve_data_dir
from leaderboard.errors import ConfigNotFoundError


def _config(directory: Path, name: str = "config.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("org: {}\n", encoding="utf-8")
    return directory


def test_core_04_option_wins_over_env(tmp_path: Path) -> None:
    a = _config(tmp_path / "a")
    _config(tmp_path / "b")
    env = {"LEADERBOARD_DATA_DIR": str(tmp_path / "b")}
    assert resolve_data_dir(str(a), env, tmp_path) == a


def test_core_04_env_used_when_no_option(tmp_path: Path) -> None:
    b = _config(tmp_path / "b")
    assert resolve_data_dir(None, {"LEADERBOARD_DATA_DIR": "b"}, tmp_path) == b


def test_core_04_empty_values_count_as_unset(tmp_path: Path) -> None:
    _config(tmp_path)
    assert resolve_data_dir("", {"LEADERBOARD_DATA_DIR": ""}, tmp_path) == tmp_path


def test_core_04_relative_option_resolved_against_cwd(tmp_path: Path) -> None:
    d = _config(tmp_path / "repo" / "data")
    assert resolve_data_dir("repo/data", {}, tmp_path) == d
    assert resolve_data_dir("./repo/../repo/data", {}, tmp_path) == d


def test_core_04_tilde_expands_to_home(tmp_path: Path) -> None:
    d = _config(tmp_path / "home" / "lb")
    env = {"HOME": str(tmp_path / "home")}
    assert resolve_data_dir("~/lb", env, Path("/")) == d
    _config(tmp_path / "home")
    assert resolve_data_dir("~", env, Path("/")) == tmp_path / "home"


def test_core_04_cwd_with_config_yaml(tmp_path: Path) -> None:
    _config(tmp_path)
    _config(tmp_path / "data")
    assert resolve_data_dir(None, {}, tmp_path) == tmp_path


def test_core_04_falls_back_to_data_subdir(tmp_path: Path) -> None:
    d = _config(tmp_path / "data")
    assert resolve_data_dir(None, {}, tmp_path) == d


def test_core_04_missing_config_message_and_exit_code(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with pytest.raises(ConfigNotFoundError) as info:
        resolve_data_dir(None, {}, tmp_path)
    assert str(info.value) == f"config.yaml not found in {tmp_path / 'data'}"
    assert info.value.exit_code == 3


def test_core_04_missing_directory_is_the_same_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigNotFoundError, match=r"config\.yaml not found in"):
        resolve_data_dir("nowhere", {}, tmp_path)


def test_core_04_config_yml_hint(tmp_path: Path) -> None:
    _config(tmp_path, "config.yml")
    with pytest.raises(ConfigNotFoundError) as info:
        resolve_data_dir(str(tmp_path), {}, Path("/"))
    assert str(info.value) == (
        f"config.yaml not found in {tmp_path} (found config.yml: rename it to config.yaml)"
    )


def test_core_04_exact_name_required(tmp_path: Path) -> None:
    _config(tmp_path, "Config.YAML")
    with pytest.raises(ConfigNotFoundError):
        resolve_data_dir(str(tmp_path), {}, Path("/"))


def test_core_04_export_data_dir_only_when_unset(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    export_data_dir(environ, tmp_path)
    assert environ == {"LEADERBOARD_DATA_DIR": str(tmp_path)}
    environ = {"LEADERBOARD_DATA_DIR": "/elsewhere"}
    export_data_dir(environ, tmp_path)
    assert environ == {"LEADERBOARD_DATA_DIR": "/elsewhere"}
