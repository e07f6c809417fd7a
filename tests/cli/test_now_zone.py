"""`--now` and the configured zone (CORE-12): the zone is looked up only when it matters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from leaderboard.commands import now_of
from leaderboard.errors import UsageError
from leaderboard.invocation import Common

STARTED = datetime(2026, 1, 1, tzinfo=UTC)


def _common(now: str | None) -> Common:
    fields: dict[str, Any] = {
        "data_dir": None,
        "db": None,
        "now": now,
        "offline": True,
        "debug": False,
        "quiet": True,
        "log_format": "text",
        "strict": False,
        "env": {},
        "started": STARTED,
    }
    return Common(**{k: v for k, v in fields.items() if k in Common.__dataclass_fields__})


def test_core_12_zone_is_read_only_when_now_depends_on_it() -> None:
    asked: list[int] = []

    def zone() -> str:
        asked.append(1)
        return "Asia/Kolkata"

    assert now_of(_common(None), zone) == STARTED
    assert now_of(_common("2026-11-01T12:00:00Z"), zone) == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert now_of(_common("2026-11-01T12:00:00+05:30"), zone) == datetime(
        2026, 11, 1, 6, 30, tzinfo=UTC
    )
    assert not asked
    # naive and date-only texts are read in the configured zone, as with a zone name
    for text in ("2026-11-01T12:00:00", "2026-11-01"):
        assert now_of(_common(text), zone) == now_of(_common(text), "Asia/Kolkata")
    assert len(asked) == 2
    with pytest.raises(UsageError):
        now_of(_common("yesterday"), zone)
