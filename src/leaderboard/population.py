"""Populations (CORE-74, NEW-04, NEW-06): who is listed, ranked, a bot or in a hidden role.

Defined once and used everywhere, as SQL predicates (for set-based queries) and as Python
predicates (for rows already in hand), so the site, API, MCP server, feeds and badge statistics
count the same people.

- listed: visibility is not `hidden` (absent visibility takes the configured default); in the
  public DB hidden contributors were never copied, so everybody there is listed;
- hidden-role: the role is a key of `leaderboard.roles` with `hidden: true`;
- bot: `bot = 1`, or `bot` is NULL and the role is one of `leaderboard.bots.roles`; in the
  public DB the precomputed `is_bot` column decides;
- ranked: listed, not hidden-role, not a bot;
- bots: listed bots, whatever their role (the bot track).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from leaderboard.points import sql_literal

if TYPE_CHECKING:
    from leaderboard.config.model import Config
    from leaderboard.db import Database

PopulationName = Literal["ranked", "listed", "bots", "hidden_role", "all"]
NAMES: tuple[str, ...] = ("ranked", "listed", "bots", "hidden_role", "all")
PUBLIC_TABLE = "_leaderboard_public"
META_TABLE = "_leaderboard_meta"


@dataclass(frozen=True, slots=True)
class Population:
    """One population plus the role rules it was built from (immutable, hashable)."""

    name: PopulationName = "ranked"
    hidden_roles: frozenset[str] = frozenset()
    bot_roles: frozenset[str] = frozenset({"bot"})
    default_visibility: str = "public"

    # -- constructors --------------------------------------------------------------------------

    @classmethod
    def from_config(cls, config: Config, name: PopulationName = "ranked") -> Population:
        """The population under the rules of a validated config."""
        lb = config.leaderboard
        return cls(
            name=_check_name(name),
            hidden_roles=frozenset(lb.hidden_roles),
            bot_roles=frozenset(lb.bots.roles),
            default_visibility=lb.privacy.default_visibility or "public",
        )

    @classmethod
    def from_public_values(
        cls, values: Mapping[str, str | None], name: PopulationName = "ranked"
    ) -> Population:
        """From the `_leaderboard_public` key/value rows (`hidden_roles`, `bot_roles` JSON lists)."""
        return cls(
            name=_check_name(name),
            hidden_roles=frozenset(_json_list(values.get("hidden_roles"))),
            bot_roles=frozenset(_json_list(values.get("bot_roles"), default=["bot"])),
        )

    @classmethod
    def from_db(cls, db: Database, name: PopulationName = "ranked") -> Population:
        """The rules recorded in a DB: the public DB's `_leaderboard_public` table, or the keys
        the runner stored in the working DB's `_leaderboard_meta` (`queries.store_config`);
        defaults when neither has them."""
        table = PUBLIC_TABLE if db.table_exists(PUBLIC_TABLE) else META_TABLE
        if not db.table_exists(table):
            return cls(name=_check_name(name))
        rows = db.query(
            f"SELECT key, value FROM {table} WHERE key IN "
            "('hidden_roles', 'bot_roles', 'default_visibility')"
        )
        values = {r["key"]: r["value"] for r in rows}
        population = cls.from_public_values(values, name)
        if table == META_TABLE and values.get("default_visibility"):
            population = replace(population, default_visibility=values["default_visibility"])
        return population

    def rules(self) -> dict[str, str]:
        """The rules as the key/value strings `from_db` reads back (sorted JSON lists)."""
        return {
            "hidden_roles": json.dumps(sorted(self.hidden_roles)),
            "bot_roles": json.dumps(sorted(self.bot_roles)),
            "default_visibility": self.default_visibility,
        }

    def named(self, name: PopulationName) -> Population:
        """The sibling population under the same rules (e.g. `pop.named("bots")`)."""
        return replace(self, name=_check_name(name))

    @property
    def ranked(self) -> Population:
        return self.named("ranked")

    @property
    def listed(self) -> Population:
        return self.named("listed")

    @property
    def bots(self) -> Population:
        return self.named("bots")

    # -- SQL predicates --------------------------------------------------------------------------

    def sql(self, alias: str = "c", *, public: bool = False) -> str:
        """A boolean SQL expression over contributor table alias `alias` (no parameters)."""
        listed = self.listed_sql(alias, public=public)
        bot = self.bot_sql(alias, public=public)
        hidden = self.hidden_role_sql(alias)
        if self.name == "all":
            return "1"
        if self.name == "listed":
            return listed
        if self.name == "bots":
            return f"({listed} AND {bot})"
        if self.name == "hidden_role":
            return f"({listed} AND {hidden})"
        return f"({listed} AND NOT {hidden} AND NOT {bot})"

    def listed_sql(self, alias: str = "c", *, public: bool = False) -> str:
        if public:
            return "1"
        default = sql_literal(self.default_visibility)
        return f"(COALESCE({alias}.visibility, {default}) != 'hidden')"

    def bot_sql(self, alias: str = "c", *, public: bool = False) -> str:
        # Written so that it is never NULL: `NOT NULL` is NULL and would drop rows silently.
        if public:
            return f"(COALESCE({alias}.is_bot, 0) = 1)"
        return (
            f"(CASE WHEN {alias}.bot IS NOT NULL THEN {alias}.bot = 1 "
            f"ELSE COALESCE({alias}.role IN {_sql_list(self.bot_roles)}, 0) END)"
        )

    def hidden_role_sql(self, alias: str = "c") -> str:
        return f"(COALESCE({alias}.role IN {_sql_list(self.hidden_roles)}, 0))"

    # -- Python predicates -----------------------------------------------------------------------

    def is_listed(self, contributor: Mapping[str, Any]) -> bool:
        if "visibility" not in contributor:  # public DB row: every row is listed
            return True
        return (contributor.get("visibility") or self.default_visibility) != "hidden"

    def is_bot(self, contributor: Mapping[str, Any]) -> bool:
        if "is_bot" in contributor and "bot" not in contributor:
            return bool(contributor["is_bot"])
        flag = contributor.get("bot")
        if flag is not None:
            return bool(flag)
        return contributor.get("role") in self.bot_roles

    def is_hidden_role(self, contributor: Mapping[str, Any]) -> bool:
        return contributor.get("role") in self.hidden_roles

    def contains(self, contributor: Mapping[str, Any]) -> bool:
        """Whether a contributor row (as returned by the query layer) belongs to this population."""
        if self.name == "all":
            return True
        if not self.is_listed(contributor):
            return False
        if self.name == "listed":
            return True
        if self.name == "bots":
            return self.is_bot(contributor)
        if self.name == "hidden_role":
            return self.is_hidden_role(contributor)
        return not self.is_hidden_role(contributor) and not self.is_bot(contributor)

    def __contains__(self, contributor: Mapping[str, Any]) -> bool:
        return self.contains(contributor)

    def not_ranked_reason(self, contributor: Mapping[str, Any]) -> str | None:
        """Why a listed contributor is not ranked (`hidden role`, `bot`), or None (NEW-19)."""
        if not self.is_listed(contributor):
            return "hidden"
        if self.is_hidden_role(contributor):
            return "hidden role"
        if self.is_bot(contributor):
            return "bot"
        return None


def _check_name(name: str) -> PopulationName:
    if name not in NAMES:
        raise ValueError(f"unknown population '{name}' (expected one of {', '.join(NAMES)})")
    return name  # type: ignore[return-value]


def _sql_list(values: Iterable[str]) -> str:
    items = sorted(values)
    if not items:
        return "()"  # SQLite accepts an empty list: `x IN ()` is false (`IN (NULL)` would be NULL)
    return "(" + ", ".join(sql_literal(v) for v in items) + ")"


def _json_list(text: str | None, default: list[str] | None = None) -> list[str]:
    if text is None:
        return list(default or [])
    value = json.loads(text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{PUBLIC_TABLE} expects a JSON list of strings, got {text!r}")
    return value


def ranked(source: Config | Database | None = None) -> Population:
    """The ranked population of a config, of a public DB, or under default rules."""
    return _from(source, "ranked")


def listed(source: Config | Database | None = None) -> Population:
    """All listed contributors (People pages, profiles)."""
    return _from(source, "listed")


def bots(source: Config | Database | None = None) -> Population:
    """Listed bots (the bot track, NEW-06)."""
    return _from(source, "bots")


def everyone() -> Population:
    """Every contributor row, unfiltered (maintenance code on the working DB)."""
    return Population(name="all")


def _from(source: Config | Database | None, name: PopulationName) -> Population:
    if source is None:
        return Population(name=name)
    from leaderboard.config.model import Config

    if isinstance(source, Config):
        return Population.from_config(source, name)
    return Population.from_db(source, name)
