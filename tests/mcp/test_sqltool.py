"""NEW-28 `run_sql`: only one SELECT/WITH statement, read-only, no ATTACH, stopped after 5 s.

The hostile statements are data (`data/hostile_sql.txt`, one per line). Each must be refused by
`run_sql`, and — with the text check bypassed — still be refused by the read-only connection and
the authorizer alone; afterwards the database file is byte-identical and no file was created.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from leaderboard.db import Database
from leaderboard.mcp.envelope import ToolError
from leaderboard.mcp.source import open_readonly
from leaderboard.mcp.sqltool import check_statement, execute_readonly, run_sql

CORPUS = Path(__file__).parent / "data" / "hostile_sql.txt"


TEXT_ONLY = "text-only: "


def hostile() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [
        line.replace("\\n", "\n") for line in lines if line.strip() and not line.startswith("#")
    ]


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sql") / "served.db"
    working = Database.open(path)
    working.execute(
        "INSERT INTO contributor(username, name, role) VALUES ('alice-long-username', 'Alice', 'core')"
    )
    working.execute(
        "INSERT INTO activity_definition(slug, name, description, points) VALUES ('pr', 'PR', 'd', 5)"
    )
    working.executemany(
        "INSERT INTO activity(slug, contributor, activity_definition, title, occurred_at) "
        "VALUES (?, 'alice-long-username', 'pr', ?, '2025-01-01T00:00:00.000Z')",
        [(f"a{i}", f"title {i}") for i in range(150)],
    )
    working.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_corpus_is_not_empty() -> None:
    assert len(hostile()) >= 40


@pytest.mark.parametrize("template", hostile())
def test_hostile_statement_is_refused(template: str, db_file: Path, tmp_path: Path) -> None:
    text_only = template.startswith(TEXT_ONLY)
    statement = template.removeprefix(TEXT_ONLY).format(tmp=tmp_path)
    before = _digest(db_file)
    db = open_readonly(db_file)
    try:
        with pytest.raises(ToolError):
            run_sql(db, statement, 10)
        # the connection and authorizer alone hold too (text check bypassed)
        bypassed = statement.strip()
        if not text_only and sqlite3.complete_statement(bypassed + ";"):
            with pytest.raises(ToolError):
                execute_readonly(db, bypassed, 10)
        # and the connection still answers
        assert run_sql(db, "SELECT COUNT(*) FROM activity", 1)["rows"] == [[150]]
    finally:
        db.close()
    assert _digest(db_file) == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT 1",
        "select 1;",
        "  -- leading comment\n/* and a block */ SELECT username FROM contributor;  -- trailing",
        "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
        "SELECT ';' AS semicolon",
        "SELECT 1 /* ; DROP TABLE activity */",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT i FROM n",
    ],
)
def test_readonly_statements_are_allowed(statement: str, db_file: Path) -> None:
    db = open_readonly(db_file)
    try:
        result = run_sql(db, statement, 10)
    finally:
        db.close()
    assert result["row_count"] >= 1 and result["columns"]


def test_limit_and_truncation(db_file: Path) -> None:
    db = open_readonly(db_file)
    try:
        result = run_sql(db, "SELECT slug, title FROM activity ORDER BY slug", 100)
    finally:
        db.close()
    assert result["columns"] == ["slug", "title"]
    assert result["row_count"] == 100 and result["truncated"] is True
    assert result["rows"][0] == ["a0", "title 0"]


def test_check_statement_names_the_problem() -> None:
    with pytest.raises(ToolError, match="single SELECT or WITH"):
        check_statement("DELETE FROM activity")
    with pytest.raises(ToolError, match="single statement"):
        check_statement("SELECT 1; SELECT 2")
    assert check_statement("-- hi\nSELECT 1; -- bye") == "SELECT 1"


def test_a_runaway_query_is_stopped_after_five_seconds(db_file: Path) -> None:
    db = open_readonly(db_file)
    try:
        started = time.monotonic()
        with pytest.raises(ToolError, match="stopped after 5 seconds"):
            run_sql(
                db,
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                "SELECT COUNT(*) FROM n",
                10,
            )
        elapsed = time.monotonic() - started
        assert run_sql(db, "SELECT 2", 1)["rows"] == [[2]]  # usable afterwards
    finally:
        db.close()
    assert elapsed >= 5.0


def test_a_working_db_copy_is_not_writable_even_with_query_only_off(
    db_file: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(db_file, copy)
    db = open_readonly(copy)
    try:
        with pytest.raises(sqlite3.OperationalError):
            db.conn.execute("PRAGMA query_only = 0")
            db.conn.execute("DELETE FROM activity")
    finally:
        db.close()
