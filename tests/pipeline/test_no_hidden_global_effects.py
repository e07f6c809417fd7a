"""Issue #15: a command leaves the process as it found it — no write to `os.environ`, no
`gc.freeze` left behind — and resolves what it needs from the values it is given."""

from __future__ import annotations

import gc
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from e2e import write, write_config

from leaderboard import commands, pipeline
from leaderboard.config import load_config
from leaderboard.invocation import Common

NOW = datetime(2024, 2, 1, 12, tzinfo=UTC)


def _common(data: Path, env: dict[str, str]) -> Common:
    return Common(
        data_dir=str(data), db=None, now=None, offline=True, debug=False, quiet=True,
        log_format="text", strict=False, env=env, started=NOW,
    )  # fmt: skip


def test_data_dir_of_writes_neither_the_process_nor_the_given_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEADERBOARD_DATA_DIR", raising=False)
    write_config(tmp_path / "data")
    env = {"LEADERBOARD_DATA_DIR": ""}  # empty counts as unset (CORE-04)
    assert commands.data_dir_of(_common(tmp_path / "data", env)) == (tmp_path / "data").resolve()
    assert "LEADERBOARD_DATA_DIR" not in os.environ
    assert env == {"LEADERBOARD_DATA_DIR": ""}


def test_upstream_configs_still_see_the_data_dir(tmp_path: Path) -> None:
    """CORE-04 step 4 without touching os.environ: substitution adds the data dir itself."""
    data = tmp_path / "data"
    write_config(data)
    text = (data / "config.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "description: An organisation", "description: ${{ env.LEADERBOARD_DATA_DIR }}"
    )
    (data / "config.yaml").write_text(text, encoding="utf-8")
    for env in ({}, {"LEADERBOARD_DATA_DIR": ""}):
        config = load_config(data, env=env).config
        assert config is not None
        assert config.org.description.startswith(str(data.absolute()))


def test_a_run_undoes_its_gc_freeze(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_config(data)
    write(data, "contributors/alice.md", "---\nname: Alice\nrole: core\n---\n")
    settings = pipeline.RunSettings(
        data_dir=data, db_path=str(tmp_path / "w.db"), now=NOW, cache_dir=tmp_path / "cache",
        env={}, phases=("import",), offline=True,
    )  # fmt: skip
    assert gc.get_freeze_count() == 0
    with pipeline.prepare(settings) as prepared:
        assert prepared.snapshot is not None
        assert gc.get_freeze_count() > 0  # the parsed files stay out of collections meanwhile
    assert gc.get_freeze_count() == 0 and prepared.snapshot is None
    assert commands.execute_run(settings, started=NOW) == 0
    assert gc.get_freeze_count() == 0
