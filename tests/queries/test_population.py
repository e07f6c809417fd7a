"""CORE-74 populations: SQL and Python predicates agree; config and public-DB sources."""

from __future__ import annotations

import pytest
from querydb import add_contributor

from leaderboard import population as pop_mod
from leaderboard.config.model import (
    BotsConfig,
    Config,
    LeaderboardConfig,
    MetaConfig,
    OrgConfig,
    PrivacyConfig,
    RoleConfig,
)
from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.queries import contributors

PEOPLE = [
    # username, role, visibility, bot
    ("alice", "member", None, None),  # ranked
    ("bob", "core", "public", None),  # hidden role
    ("carol", "member", "hidden", None),  # not listed
    ("dependabot[bot]", "bot", None, None),  # bot by role
    ("erin", "member", "pseudonymous", 1),  # bot by flag, listed
    ("frank", "bot", None, 0),  # bot: false wins over role
    ("gina", "core", None, 1),  # hidden role and bot
    ("hal", "automation", None, None),  # configured bot role
]

RULES = Population(hidden_roles=frozenset({"core"}), bot_roles=frozenset({"bot", "automation"}))

EXPECTED = {
    "ranked": ["alice", "frank"],
    "listed": ["alice", "bob", "dependabot[bot]", "erin", "frank", "gina", "hal"],
    "bots": ["dependabot[bot]", "erin", "gina", "hal"],
    "hidden_role": ["bob", "gina"],
    "all": [p[0] for p in PEOPLE],
}


def _fill(db: Database) -> None:
    for username, role, visibility, bot in PEOPLE:
        add_contributor(db, username, role, visibility=visibility, bot=bot)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_core_74_sql_and_python_agree(db: Database, name: str) -> None:
    _fill(db)
    population = RULES.named(name)  # type: ignore[arg-type]
    assert contributors.usernames(db, population) == EXPECTED[name]
    rows = contributors.get_all(db)
    assert [r["username"] for r in rows if population.contains(r)] == EXPECTED[name]
    assert contributors.count(db, population) == len(EXPECTED[name])


def test_default_visibility_hidden_makes_listing_opt_in(db: Database) -> None:
    _fill(db)
    population = Population(name="listed", default_visibility="hidden")
    assert contributors.usernames(db, population) == ["bob", "erin"]


def test_not_ranked_reason() -> None:
    assert RULES.not_ranked_reason({"role": "core", "bot": None}) == "hidden role"
    assert RULES.not_ranked_reason({"role": "member", "bot": True}) == "bot"
    assert RULES.not_ranked_reason({"role": "member", "bot": None}) is None
    assert RULES.not_ranked_reason({"role": "member", "visibility": "hidden"}) == "hidden"


def test_from_config() -> None:
    config = Config(
        org=OrgConfig("Org", "", "", ""),
        meta=MetaConfig("t", "d", "", None, "", ""),
        leaderboard=LeaderboardConfig(
            roles={"core": RoleConfig("Core", hidden=True), "member": RoleConfig("Member")},
            bots=BotsConfig(roles=("robot",)),
            privacy=PrivacyConfig(default_visibility="pseudonymous"),
        ),
        raw={},
    )
    ranked = pop_mod.ranked(config)
    assert ranked == Population(
        name="ranked",
        hidden_roles=frozenset({"core"}),
        bot_roles=frozenset({"robot"}),
        default_visibility="pseudonymous",
    )
    assert pop_mod.bots(config).name == "bots"
    assert pop_mod.listed(config).hidden_roles == frozenset({"core"})


def test_from_public_db(public_db: Database) -> None:
    public_db.executemany(
        "INSERT INTO _leaderboard_public VALUES (?, ?)",
        [("hidden_roles", '["core"]'), ("bot_roles", '["bot","automation"]')],
    )
    got = Population.from_db(public_db, "bots")
    assert got == RULES.named("bots")
    public_db.executemany(
        "INSERT INTO contributor (username, role, is_bot) VALUES (?, ?, ?)",
        [("alice", "member", 0), ("bob", "core", 0), ("zed", "member", 1)],
    )
    assert contributors.usernames(public_db, got) == ["zed"]
    assert contributors.usernames(public_db, got.ranked) == ["alice"]
    assert [r["username"] for r in contributors.get_all(public_db) if got.ranked.contains(r)] == [
        "alice"
    ]


def test_working_db_without_public_table_gives_defaults(db: Database) -> None:
    assert Population.from_db(db) == Population()
    assert pop_mod.everyone().name == "all"


def test_unknown_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown population 'people'"):
        Population().named("people")  # type: ignore[arg-type]


def test_role_names_with_quotes_are_escaped(db: Database) -> None:
    add_contributor(db, "x", "o'brien")
    rules = Population(hidden_roles=frozenset({"o'brien"}))
    assert contributors.usernames(db, rules) == []
    assert contributors.usernames(db, rules.named("hidden_role")) == ["x"]


def test_store_config_records_rules_in_the_working_db(db: Database) -> None:
    from leaderboard.queries import dbinfo, store_config

    config = Config(
        org=OrgConfig("Org", "", "", ""),
        meta=MetaConfig("t", "d", "", None, "", ""),
        leaderboard=LeaderboardConfig(
            timezone="Asia/Kolkata",
            roles={"core": RoleConfig("Core", hidden=True)},
            bots=BotsConfig(roles=("robot",)),
            privacy=PrivacyConfig(default_visibility="hidden"),
            daily_caps={"comment": 3},
        ),
        raw={},
    )
    store_config(db, config)
    assert Population.from_db(db) == Population.from_config(config)
    assert Population.from_db(db, "bots").bot_roles == frozenset({"robot"})
    assert str(dbinfo.timezone(db)) == "Asia/Kolkata"
    assert dbinfo.daily_caps(db) == {"comment": 3}
