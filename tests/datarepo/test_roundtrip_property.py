"""CORE-54 property: for generated DB states S, export → import → export is byte-identical and
the re-imported DB equals S in every exported column (extra included)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datarepo.helpers import make_config, tree
from leaderboard.datarepo import export_repo, import_snapshot, read_repo
from leaderboard.datarepo.contributors import KNOWN_KEYS
from leaderboard.datarepo.importer import upsert_sql
from leaderboard.datarepo.lines import ACTIVITY_KEYS, AGGREGATE_KEYS, BADGE_KEYS
from leaderboard.datarepo.snapshot import COLUMNS, KINDS, TABLES
from leaderboard.datarepo.values import encode_json
from leaderboard.db import Database
from leaderboard.declarations import Declarations
from leaderboard.timeutil import canonical
from leaderboard.usernames import ascii_lower, username_problem

NOW = datetime(2030, 1, 1, tzinfo=UTC)
TRICKY = [
    "yes",
    "no",
    "2020-01-01",
    "123",
    ": x",
    "#",
    "- a",
    "null",
    "~",
    "1e3",
    "a: b",
    " lead",
    "trail ",
    "it's",
    "0x1F",
    "José",
    "日本語",
    "ß",
    "-",
    "?",
    "|",
    ">",
    "@x",
    "`x`",
    "1_0.5_5",
]
text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(TRICKY)
multiline = st.lists(text, min_size=1, max_size=4).map("\n".join) | text.map(lambda t: t + "\n\n")
big_int = st.integers(min_value=-(2**80), max_value=2**80)
finite = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none() | st.booleans() | big_int | finite | text | multiline,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=8,
)
ts = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2029, 1, 1), timezones=st.just(UTC)
).map(canonical)
name_chars = st.sampled_from(list("abcXYZ019-_[]é.ü日"))
usernames = (
    st.lists(name_chars, min_size=1, max_size=8)
    .map("".join)
    .filter(lambda u: username_problem(u) is None)
)


json_col = st.none() | json_values.filter(lambda v: v is not None).map(encode_json)


def extras(known: frozenset[str] | tuple[str, ...]) -> st.SearchStrategy[str | None]:
    keys = text.filter(lambda k: k not in known)
    return st.dictionaries(keys, json_values, max_size=2).map(
        lambda d: encode_json(d) if d else None
    )


def opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def nonempty_opt_text() -> st.SearchStrategy[str | None]:
    return opt((text | multiline).filter(lambda t: t != ""))


@st.composite
def states(draw: st.DrawFn) -> dict[str, list[tuple[Any, ...]]]:
    names = draw(st.lists(usernames, min_size=1, max_size=4, unique_by=ascii_lower))
    contributors = []
    for i, u in enumerate(names):
        bio = draw(opt(multiline.filter(lambda t: "\r" not in t))) or ""
        contributors.append(
            (
                u,
                draw(nonempty_opt_text()),
                draw(text.filter(bool)),
                draw(nonempty_opt_text()),
                draw(nonempty_opt_text()),
                bio.strip() or None,
                draw(opt(st.dictionaries(text, text, max_size=2).map(encode_json))),
                draw(opt(st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10))),
                draw(json_col),
                draw(st.sampled_from([None, "public", "pseudonymous", "hidden"])),
                draw(st.sampled_from([None, f"pseudo-{i}"])),
                draw(st.sampled_from([None, 0, 1])),
                draw(st.sampled_from([None, encode_json({"github": [f"acct-{i}"], "x": f"v{i}"})])),
                draw(extras(("username", *KNOWN_KEYS))),
            )
        )
    defs = [
        (
            f"def-{i}",
            draw(text),
            draw(text),
            draw(opt(big_int.filter(lambda n: abs(n) < 2**63))),
            draw(opt(text)),
            draw(extras(("slug", "name", "description", "points", "icon"))),
        )
        for i in range(draw(st.integers(1, 2)))
    ]
    activities = [
        (
            f"act-{i}-{draw(text)}",
            draw(st.sampled_from(names)),
            draw(st.sampled_from(defs))[0],
            draw(opt(text)),
            draw(ts),
            draw(opt(text)),
            draw(opt(multiline)),
            draw(opt(st.integers(-(2**63) + 1, 2**63 - 1))),
            draw(json_col),
            draw(extras(ACTIVITY_KEYS)),
        )
        for i in range(draw(st.integers(0, 6)))
    ]
    value = st.fixed_dictionaries(
        {"type": st.just("number"), "value": big_int | finite}
    ) | st.fixed_dictionaries({"type": st.just("string"), "value": text})
    globals_ = [
        (
            f"g{i}",
            draw(text),
            draw(opt(text)),
            encode_json(draw(value)),
            draw(st.sampled_from([0, 1])),
            draw(json_col),
            draw(extras(("slug", "name", "description", "value", "hidden", "meta"))),
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    agg_defs = [
        (
            f"agg{i}",
            draw(text),
            draw(opt(text)),
            draw(st.sampled_from([0, 1])),
            draw(extras(("slug", "name", "description", "hidden"))),
        )
        for i in range(2)
    ]
    aggs = {
        (draw(st.sampled_from(agg_defs))[0], draw(st.sampled_from(names)))
        for _ in range(draw(st.integers(0, 3)))
    }
    contributor_aggs = [
        (a, c, encode_json(draw(value)), draw(json_col), draw(extras(AGGREGATE_KEYS)))
        for a, c in sorted(aggs)
    ]
    variants = {
        "gold": {"description": "G", "svg_url": "u", "order": 2},
        "x": {"description": draw(text), "svg_url": "v", "z": draw(json_values)},
    }
    badge_defs = [
        (
            "b",
            draw(text),
            draw(text),
            encode_json(variants),
            draw(extras(("slug", "name", "description", "variants"))),
        )
    ]
    awards = {
        (draw(st.sampled_from(names)), draw(st.sampled_from(["gold", "x"])))
        for _ in range(draw(st.integers(0, 3)))
    }
    badges = [
        (
            f"b__{c}__{v}",
            "b",
            c,
            v,
            draw(st.dates(min_value=datetime(2000, 1, 1).date())).isoformat(),
            draw(json_col),
            draw(extras(BADGE_KEYS)),
        )
        for c, v in sorted(awards)
    ]
    return {
        "contributor": contributors,
        "activity_definition": defs,
        "activity": activities,
        "global_aggregate": globals_,
        "aggregate_definition": agg_defs,
        "contributor_aggregate": contributor_aggs,
        "badge_definition": badge_defs,
        "contributor_badge": badges,
    }


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for kind in KINDS:
        cols = ", ".join(COLUMNS[kind])
        out[kind] = sorted(db.execute(f"SELECT {cols} FROM {TABLES[kind]}").fetchall(), key=repr)
    return out


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(state=states())
def test_core_54_export_import_export_is_identity(state: dict[str, list[tuple[Any, ...]]]) -> None:
    config = make_config(timezone="Europe/Berlin")
    source = Database.memory()
    with source.transaction():
        for kind in KINDS:
            source.executemany(upsert_sql(kind), state[kind])
    expected = dump(source)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        export_repo(source, data_dir, tz=config.tz, imported=None)
        first = tree(data_dir)
        snap = read_repo(data_dir, config=config, declarations=Declarations(), now=NOW)
        assert [p.format() for p in snap.problems if p.is_error] == []
        fresh = Database.memory()
        import_snapshot(fresh, snap, declarations=Declarations(), config=config)
        assert dump(fresh) == expected
        stats = export_repo(fresh, data_dir, tz=config.tz, imported=snap)
        assert stats.written == [] and stats.deleted == []
        assert tree(data_dir) == first
