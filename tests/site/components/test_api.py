"""NEW-08: the static JSON/CSV API — exact key order, CSV quoting, numbers from the query layer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from leaderboard.config.model import OrgConfig, RoleConfig
from leaderboard.db import Database
from leaderboard.site import api
from leaderboard.site.artefacts import shard_path
from leaderboard.site.urls import Urls

NOW = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def files(public_db_factory: Callable[[], Database]) -> dict[str, bytes]:
    ctx = api.ApiContext(
        urls=Urls.create("https://org.example/lb"),
        org=OrgConfig("Org", "An org", "https://org.example", "https://org.example/logo.png"),
        now=NOW,
        tz=ZoneInfo("UTC"),
        timezone="UTC",
        roles={
            "core": RoleConfig("Core Team"),
            "contributor": RoleConfig("Contributor"),
            "alumni": RoleConfig("Alumni", hidden=True),
        },
    )
    return api.build_api(public_db_factory(), ctx)


def _doc(files: dict[str, bytes], path: str) -> dict:  # type: ignore[type-arg]
    data = files["api/v1/" + path]
    assert data.endswith(b"\n") and b"\n" not in data[:-1]
    assert b": " not in data and b", " not in data.replace(b'", Jr', b"")  # compact JSON
    return json.loads(data)  # type: ignore[no-any-return]


def test_new_08_file_set(files: dict[str, bytes]) -> None:
    assert list(files) == [
        "api/v1/activity-definitions.json",
        "api/v1/badges.json",
        "api/v1/contributors.json",
        *sorted(
            {
                "api/v1/" + shard_path(u)
                for u in ("alice", "bob", "carol", "dave", "dependabot[bot]")
            }
        ),
        "api/v1/index.json",
        "api/v1/leaderboard/all-time.csv",
        "api/v1/leaderboard/all-time.json",
        "api/v1/leaderboard/month.csv",
        "api/v1/leaderboard/month.json",
        "api/v1/leaderboard/week.csv",
        "api/v1/leaderboard/week.json",
        "api/v1/leaderboard/year.csv",
        "api/v1/leaderboard/year.json",
    ]


def test_new_08_index(files: dict[str, bytes]) -> None:
    doc = _doc(files, "index.json")
    assert list(doc) == [
        "version", "generated_at", "data_updated_at", "org", "site_url", "timezone", "periods", "endpoints",
        "contributor_shards",
    ]  # fmt: skip
    assert doc["generated_at"] == "2026-04-15T12:00:00.000Z"
    assert doc["data_updated_at"] == "2026-04-15T06:00:00.000Z"
    assert list(doc["org"]) == ["name", "description", "url", "logo_url"]
    assert doc["site_url"] == "https://org.example/lb"
    assert list(doc["periods"]) == ["week", "month", "year", "all-time"]
    assert doc["periods"]["week"] == {
        "start": "2026-04-08T12:00:00.000Z",
        "end": "2026-04-15T12:00:00.000Z",
        "previous_start": "2026-04-01T12:00:00.000Z",
        "previous_end": "2026-04-08T12:00:00.000Z",
    }
    assert doc["periods"]["all-time"] == {"start": None, "end": "2026-04-15T12:00:00.000Z"}
    assert doc["endpoints"] == {
        "leaderboard": "https://org.example/lb/api/v1/leaderboard/{period}.json",
        "contributors": "https://org.example/lb/api/v1/contributors.json",
        "contributor": "https://org.example/lb/api/v1/contributors/shards/{shard}.json",
        "activity_definitions": "https://org.example/lb/api/v1/activity-definitions.json",
        "badges": "https://org.example/lb/api/v1/badges.json",
    }
    assert doc["contributor_shards"]["count"] == 256


def _contributor(files: dict[str, bytes], username: str) -> dict:  # type: ignore[type-arg]
    """A contributor's document, found the way `index.json` says (WEB-64: sharded)."""
    shard = hashlib.sha256(username.lower().encode()).hexdigest()[:2]
    return _doc(files, f"contributors/shards/{shard}.json")["contributors"][username]  # type: ignore[no-any-return]


def test_contributor_shards_are_bounded_and_complete(files: dict[str, bytes]) -> None:
    shards = [p for p in files if p.startswith("api/v1/contributors/shards/")]
    assert 1 <= len(shards) <= 256
    names = [u for p in shards for u in json.loads(files[p])["contributors"]]
    assert sorted(names) == ["alice", "bob", "carol", "dave", "dependabot[bot]"]


def test_new_08_leaderboard_entries_and_bots(files: dict[str, bytes]) -> None:
    doc = _doc(files, "leaderboard/week.json")
    assert list(doc) == ["period", "start", "end", "entries", "bots"]
    assert doc["period"] == "week"
    # carol is in a hidden role, the bot is on its own track, dave has no activity
    assert [e["username"] for e in doc["entries"]] == ["alice", "bob"]
    alice = doc["entries"][0]
    assert list(alice) == [
        "rank", "username", "name", "role", "avatar_url", "profile_url", "points", "activity_count",
        "previous_points", "previous_rank", "rank_change", "rank_delta", "per_definition",
    ]  # fmt: skip
    assert alice["points"] == 10 and alice["activity_count"] == 1
    assert alice["rank_change"] == "back" and doc["entries"][1]["rank_change"] == "new"
    assert alice["profile_url"] == "https://org.example/lb/alice/"
    assert alice["avatar_url"] == "https://org.example/lb/avatars/alice.webp"
    assert alice["per_definition"] == {"pr_merged": {"count": 1, "points": 10}}
    assert [b["username"] for b in doc["bots"]] == ["dependabot[bot]"]
    assert doc["bots"][0]["profile_url"] == "https://org.example/lb/dependabot%5Bbot%5D/"
    all_time = _doc(files, "leaderboard/all-time.json")
    assert all_time["start"] is None
    assert all_time["entries"][0]["previous_rank"] is None
    assert all_time["entries"][0]["points"] == 12  # the future activity is not counted


def test_new_08_csv_crlf_and_quoting(files: dict[str, bytes]) -> None:
    assert files["api/v1/leaderboard/week.csv"] == (
        b"rank,username,name,role,points,activity_count,previous_rank,rank_change\r\n"
        b"1,alice,Alice,core,10,1,,back\r\n"
        b'2,bob,"Bob ""The Builder"", Jr.",contributor,2,2,,new\r\n'
    )


def test_new_08_contributors_list(files: dict[str, bytes]) -> None:
    doc = _doc(files, "contributors.json")
    rows = doc["contributors"]
    assert [r["username"] for r in rows] == ["alice", "bob", "carol", "dave", "dependabot[bot]"]
    assert list(rows[0]) == [
        "username", "name", "role", "role_name", "role_hidden", "is_bot", "avatar_url", "profile_url",
        "points", "activity_count", "first_activity_at", "last_activity_at", "badge_count",
    ]  # fmt: skip
    alice, carol, dave, bot = rows[0], rows[2], rows[3], rows[4]
    assert (alice["points"], alice["activity_count"], alice["badge_count"]) == (12, 2, 1)
    assert alice["first_activity_at"] == "2026-03-01T10:00:00.000Z"
    assert alice["role_name"] == "Core Team" and alice["role_hidden"] is False
    assert carol["role_hidden"] is True and carol["role_name"] == "Alumni"
    assert dave["points"] == 0 and dave["first_activity_at"] is None
    assert bot["is_bot"] is True and bot["role_name"] == "bot"


def test_new_08_contributor_document(files: dict[str, bytes]) -> None:
    doc = _contributor(files, "alice")
    assert list(doc) == [
        "username", "name", "role", "role_name", "role_hidden", "is_bot", "title", "bio_html",
        "avatar_url", "profile_url", "social_profiles", "joining_date", "totals", "ranks",
        "per_definition", "aggregates", "badges", "recent_activities",
    ]  # fmt: skip
    assert doc["bio_html"] == "<h3>Hi</h3>"  # sanitised, demoted
    assert doc["social_profiles"] == {"github": "https://github.com/alice"}
    assert doc["totals"] == {
        "points": 12,
        "activity_count": 2,
        "active_days": 2,
        "first_activity_at": "2026-03-01T10:00:00.000Z",
        "last_activity_at": "2026-04-14T10:00:00.000Z",
    }
    assert list(doc["ranks"]) == ["week", "month", "year", "all-time"]
    assert doc["ranks"]["week"] == {"rank": 1, "of": 2, "points": 10, "activity_count": 1}
    assert doc["per_definition"] == {
        "issue_opened": {"count": 1, "points": 2},
        "pr_merged": {"count": 1, "points": 10},
    }
    assert doc["aggregates"] == [
        {
            "slug": "total_activity_points",
            "name": "Total Activity Points",
            "value": {"type": "number", "value": 1234, "format": "integer"},
            "formatted": "1,234",
        }
    ]
    assert doc["badges"] == [
        {
            "badge": "streak",
            "name": "Streak",
            "variant": "bronze",
            "achieved_on": "2026-04-01",
            "svg_url": "https://org.example/lb/assets/b.svg",
        }
    ]
    recent = doc["recent_activities"]
    assert [a["slug"] for a in recent] == ["a1", "a2"]
    assert list(recent[0]) == [
        "slug", "contributor", "activity_definition", "title", "occurred_at", "link", "text", "points", "meta",
    ]  # fmt: skip
    assert recent[0]["points"] == 10 and recent[0]["meta"] == {"n": 1}
    carol = _contributor(files, "carol")
    assert carol["ranks"] == {"week": None, "month": None, "year": None, "all-time": None}
    assert carol["bio_html"] is None


def test_new_08_definitions_and_badges(files: dict[str, bytes]) -> None:
    defs = _doc(files, "activity-definitions.json")["activity_definitions"]
    assert [d["slug"] for d in defs] == ["comment", "issue_opened", "pr_merged"]
    assert list(defs[0]) == ["slug", "name", "description", "points", "icon"]
    badges = _doc(files, "badges.json")["badges"]
    assert list(badges[0]) == ["slug", "name", "description", "earners", "variants"]
    assert badges[0]["earners"] == 1  # carol (hidden role) is not counted
    variants = badges[0]["variants"]
    assert [v["key"] for v in variants] == ["bronze", "silver", "gold"]  # CORE-66 order
    assert list(variants[0]) == ["key", "description", "svg_url", "order", "earners"]
    assert variants[0]["earners"] == 1 and variants[1]["earners"] == 0
    assert variants[0]["svg_url"] == "https://org.example/lb/assets/b.svg"


def test_new_08_deterministic_and_write_callback(public_db_factory: Callable[[], Database]) -> None:
    ctx = api.ApiContext(
        urls=Urls.create("https://org.example"),
        org=OrgConfig("Org", "d", "u", "l"),
        now=NOW,
        tz=ZoneInfo("UTC"),
        timezone="UTC",
    )
    written: dict[str, bytes] = {}
    paths = api.write_api(public_db_factory(), ctx, lambda p, d: written.__setitem__(p, d))
    assert paths == list(written)
    assert api.build_api(public_db_factory(), ctx) == written


def test_core_80_shards_written_as_they_are_built(
    public_db_factory: Callable[[], Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contributor shards are most of the API: each is written before the next is built,
    never all held at once (CORE-80 peak memory at 10x)."""
    ctx = api.ApiContext(
        urls=Urls.create("https://org.example"),
        org=OrgConfig("Org", "d", "u", "l"),
        now=NOW,
        tz=ZoneInfo("UTC"),
        timezone="UTC",
    )
    built: list[str] = []
    document = api._contributor_document

    def counting(*args: object) -> dict[str, object]:
        doc = document(*args)  # type: ignore[arg-type]
        built.append(doc["username"])
        return doc

    monkeypatch.setattr(api, "_contributor_document", counting)
    seen: list[tuple[str, int]] = []  # (shard path, documents built when it was written)
    api.write_api(
        public_db_factory(),
        ctx,
        lambda p, d: seen.append((p, len(built))) if "/contributors/" in p else None,
    )
    assert len(seen) > 1
    counts = [n for _, n in seen]
    assert counts == sorted(counts) and counts[0] < len(built)  # the first before the rest


@pytest.mark.parametrize(
    "text",
    [
        '{"repo":"docs","n":3,"ratio":0.1,"ok":true,"none":null}',
        '{"big":123456789012345678901234567890,"neg":-9223372036854775809}',
        '{"u64":18446744073709551616,"i64":-9223372036854775808,"inf":1e400}',
        '{"float":1e308,"tiny":5e-324,"exp":1E2,"unicode":"\\u00e9\\ud83d\\ude00 é"}',
        '[[[[{"deep":[1,2,{"x":"y"}]}]]]]',
        '"plain"',
    ],
)
def test_json_columns_read_as_the_strict_decoder_reads_them(text: str) -> None:
    from leaderboard import jsonfmt

    fast, strict = api._loads(text), jsonfmt.loads(text)
    assert fast == strict and repr(fast) == repr(strict)


def test_og_cards_may_take_the_api_totals(public_db_factory: Callable[[], Database]) -> None:
    """The Open Graph step reuses the JSON API's totals (`BuildState.totals`): their points and
    counts are those of the query the cards ran themselves, whatever the time zone."""
    from leaderboard.queries import activities
    from leaderboard.timeutil import canonical

    db = public_db_factory()
    for tz in ("UTC", "Pacific/Kiritimati"):
        ctx = api.ApiContext(
            urls=Urls.create("https://org.example"),
            org=OrgConfig("Org", "d", "u", "l"),
            now=NOW,
            tz=ZoneInfo(tz),
            timezone=tz,
        )
        ours = api._Data(db, ctx).totals
        theirs = activities.totals_by_contributor(db, end=canonical(NOW), active_days=False)
        assert ours and {u: (t.points, t.activity_count) for u, t in ours.items()} == {
            u: (t.points, t.activity_count) for u, t in theirs.items()
        }
