"""The badge evaluation pass (CORE-67, CORE-73): rules × contributors → new award rows.

One pass reads badge definitions, aggregates and existing awards, takes the activity
histories from the shared activity snapshot (usually the one the aggregate phase just read),
compiles each enabled rule once, then evaluates every rule for every contributor (contributors
by username, rules in order). Existing awards are never touched, so evaluating again adds
nothing; tiers a contributor already holds are not worked out again at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence, Set
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from leaderboard.aggregates.shared import activity_snapshot
from leaderboard.aggregates.snapshot import ActivitySnapshot, points_by_slug
from leaderboard.badges.award import Award
from leaderboard.badges.history import Subject, empty_timeline
from leaderboard.badges.rules import CompiledRule, RuleEnv, RuleError, compile_rule
from leaderboard.db import Database
from leaderboard.db.database import BULK_ROWS
from leaderboard.db.schema import JSON_COLUMNS
from leaderboard.gcpause import gc_paused
from leaderboard.jsonfmt import JsonError, dumps_compact, loads
from leaderboard.timeutil import canonical, date_text, local_date


@dataclass(slots=True)
class EvaluationStats:
    """Outcome of one pass: awards inserted, tiers skipped because they were already awarded
    (not evaluated again), warnings."""

    awards: int = 0
    skipped_existing: int = 0
    warnings: list[str] = field(default_factory=list)


def _log(logger: Any, level: str, message: str, meta: dict[str, Any] | None = None) -> None:
    """Log through a stdlib logger (meta in `extra`) or a plugin-style logger (meta argument)."""
    if logger is None:
        return
    if isinstance(logger, (logging.Logger, logging.LoggerAdapter)):
        getattr(logger, level)(message, extra={"meta": meta} if meta else None)
    elif meta:
        getattr(logger, level)(message, meta)
    else:
        getattr(logger, level)(message)


def _json(text: Any) -> Any:
    if text is None:
        return None
    try:
        return loads(text)
    except (JsonError, TypeError):
        return None


def _load_contributors(db: Database) -> list[dict[str, Any]]:
    rows = db.query("SELECT * FROM contributor ORDER BY username")
    json_cols = JSON_COLUMNS["contributor"]
    for row in rows:
        for col in json_cols:
            row[col] = _json(row.get(col))
        if row.get("bot") is not None:
            row["bot"] = bool(row["bot"])
    return rows


def _load_aggregates(
    db: Database, slugs: set[str] | None, *, share: bool
) -> dict[str, dict[str, Any]]:
    """contributor → {aggregate slug → parsed value}; only `slugs` unless None (all).

    With `share`, equal texts (most values repeat across contributors) are parsed once and
    their objects shared; only custom evaluators, which could modify them, get their own.
    """
    sql = "SELECT contributor, aggregate, value FROM contributor_aggregate"
    params: list[str] = []
    if slugs is not None:
        if not slugs:
            return {}
        sql += f" WHERE aggregate IN ({', '.join('?' * len(slugs))})"
        params = sorted(slugs)
    out: dict[str, dict[str, Any]] = {}
    parsed: dict[str, Any] = {}
    for who, slug, value in db.execute(sql + " ORDER BY contributor, aggregate", params):
        if not share or not isinstance(value, str):
            obj = _json(value)
        elif value in parsed:
            obj = parsed[value]
        else:
            obj = parsed[value] = _json(value)
        out.setdefault(who.lower(), {})[slug] = obj
    return out


def _load_usernames(db: Database) -> list[dict[str, Any]]:
    """Contributors as rules other than custom ones see them: just the username."""
    return [
        {"username": u} for (u,) in db.execute("SELECT username FROM contributor ORDER BY username")
    ]


def _load_awarded(db: Database) -> dict[tuple[str, str], set[str]]:
    """(badge, lower-case contributor) → variants already awarded."""
    out: dict[tuple[str, str], set[str]] = {}
    for badge, who, variant in db.execute(
        "SELECT badge, contributor, variant FROM contributor_badge"
    ):
        out.setdefault((badge, who.lower()), set()).add(variant)
    return out


def _load_full_activities(
    db: Database, until: str, points: Mapping[str, int]
) -> dict[str, list[dict[str, Any]]]:
    """Full activity rows per contributor, newest first, with effective `points` (custom rules)."""
    rows = db.query(
        "SELECT * FROM activity WHERE occurred_at <= ? ORDER BY occurred_at DESC, slug DESC",
        (until,),
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["slug"] not in points:
            continue
        for col in JSON_COLUMNS["activity"]:
            row[col] = _json(row.get(col))
        row["points"] = points[row["slug"]]
        out.setdefault(row["contributor"], []).append(row)
    return out


def _referenced_aggregates(rules: Sequence[dict[str, Any]]) -> set[str] | None:
    slugs: set[str] = set()
    for rule in rules:
        if rule.get("type") == "custom":
            return None
        if isinstance(rule.get("aggregate_slug"), str):
            slugs.add(rule["aggregate_slug"])
        for cond in rule.get("conditions") or []:
            if isinstance(cond, dict) and isinstance(cond.get("aggregate_slug"), str):
                slugs.add(cond["aggregate_slug"])
    return slugs


def _plugin_rule_problems(rule: Any, index: int, source: str) -> list[str]:
    """Plugin rules are checked with the config checker (CORE-22) when it is available."""
    try:
        from leaderboard.config.badges import check_badge_rule
    except ImportError:  # pragma: no cover - the config package ships it
        return []
    problems = check_badge_rule(
        rule, f"plugin {source}: badge_rules[{index}]", definitions=None, allow_custom=True
    )
    return [f"{path}: {message}" for path, severity, message in problems if severity == "error"]


def evaluate(
    db: Database,
    rules: list[dict[str, Any]],
    *,
    now: datetime,
    tz: tzinfo,
    logger: Any = None,
    source: str = "config",
    daily_caps: Mapping[str, int] | None = None,
) -> EvaluationStats:
    """Evaluate `rules` once for every contributor and insert the new awards (one transaction).

    Inputs: the working DB, the rules in config shape (config rules, or one plugin's rules when
    `source` is the plugin id; only plugins may use `custom`), `now`, `tz`, a logger (stdlib or
    plugin-style) and optional NEW-25 `daily_caps`. Effects: inserts `contributor_badge` rows
    with slug `<badge>__<username>__<variant>` (`__2`… on collision), `achieved_on` per rule
    type (never after today), meta = rule meta + `rule_type` + `auto_awarded`. Logs WARN once
    per pass for unknown badges/variants and `Badge evaluation complete {"awards": n}`.
    Output: `EvaluationStats`. Errors raised by custom evaluators propagate.
    """
    stats = EvaluationStats()
    warned: set[str] = set()

    def warn(message: str) -> None:
        if message not in warned:
            warned.add(message)
            stats.warnings.append(message)
            _log(logger, "warning", message)

    now_text = canonical(now)
    today = local_date(now, tz)
    # Custom evaluators are plugin code: the collector stays on while they may run.
    runs_plugin_code = any(isinstance(r, dict) and r.get("type") == "custom" for r in rules)
    with db.transaction(), nullcontext() if runs_plugin_code else gc_paused():
        definitions = {
            r["slug"]: _json(r["variants"])
            for r in db.query("SELECT slug, variants FROM badge_definition")
        }
        keys = {
            str(slug): int(rowid)
            for rowid, slug in db.execute("SELECT rowid, slug FROM activity_definition")
        }
        env = RuleEnv(
            now=now, tz=tz, today=today, activity_definitions=tuple(sorted(keys)), keys=keys
        )
        compiled: list[tuple[dict[str, Any], CompiledRule]] = []
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict) or rule.get("enabled", True) is False:
                continue
            if source != "config":
                problems = _plugin_rule_problems(rule, index, source)
                if problems:
                    for p in problems:
                        warn(f"Invalid badge rule skipped: {p}")
                    continue
            badge = rule.get("badge_slug")
            if badge not in definitions:
                warn(f"Badge definition not found: {badge}")
                continue
            try:
                compiled.append((rule, compile_rule(rule, env, allow_custom=source != "config")))
            except RuleError as exc:
                warn(f"Invalid badge rule skipped: {source} rule {index} ({badge}): {exc}")
        if not compiled:
            _log(logger, "info", "Badge evaluation complete", {"awards": 0})
            return stats

        snapshot = activity_snapshot(db, tz=tz, daily_caps=daily_caps)
        if snapshot.definitions != keys:  # pragma: no cover - same transaction, same rows
            raise RuntimeError("activity definitions changed while badges were evaluated")
        histories = snapshot.until(now_text)
        custom = any(r.get("type") == "custom" for r, _ in compiled)
        referenced = _referenced_aggregates([r for r, _ in compiled])
        aggregates = _load_aggregates(db, referenced, share=not custom)
        full = _full_activities(db, snapshot, now_text) if custom else None
        awarded = _load_awarded(db)
        taken = {r[0] for r in db.execute("SELECT slug FROM contributor_badge")}
        first = not taken  # the table is empty (`taken` grows with each new award)
        inserts: list[tuple[str, str, str, str, str, str]] = []
        nothing: Set[str] = frozenset()  # shared "no awards yet", never mutated

        for contributor in _load_contributors(db) if custom else _load_usernames(db):
            username = contributor["username"]
            lower = username.lower()
            subject = Subject(
                contributor,
                aggregates.get(lower, {}),
                histories.get(username) or empty_timeline(username),
                full.get(username, []) if full is not None else None,
            )
            for rule, fn in compiled:
                badge = str(rule["badge_slug"])
                have = awarded.get((badge, lower), nothing)
                if have and fn.variants is not None:
                    stats.skipped_existing += len(fn.variants & have)
                    if fn.variants <= have:
                        continue
                variants = definitions.get(badge)
                for award in fn.evaluate(subject, have):
                    if not isinstance(variants, dict) or award.variant not in variants:
                        warn(f"Variant {award.variant} not found for badge {badge}")
                        continue
                    if award.variant in have:
                        if fn.variants is None:
                            stats.skipped_existing += 1
                        continue
                    if not have:
                        have = awarded[(badge, lower)] = set()
                    awarded[(badge, lower)].add(award.variant)
                    slug = _free_slug(f"{badge}__{username}__{award.variant}", taken)
                    inserts.append(
                        (
                            slug,
                            badge,
                            username,
                            award.variant,
                            date_text(award.achieved_on),
                            _meta_text(award, str(rule.get("type"))),
                        )
                    )
        insert = (
            "INSERT INTO contributor_badge(slug, badge, contributor, variant, achieved_on, meta) "
            "VALUES(?, ?, ?, ?, ?, ?)"
        )
        if first and len(inserts) >= BULK_ROWS:
            # A first evaluation into an empty table: the five secondary indexes built once
            # after the rows, the sync-state trigger's effect applied once (CORE-80; 0.045 ->
            # 0.013 s of CPU at 1x).
            from leaderboard.datarepo.syncstate import forget_header

            with db.secondary_indexes_dropped("contributor_badge"):
                db.executemany(insert, inserts)
            forget_header(db, "contributor_badge")
        else:
            db.executemany(insert, inserts)
        stats.awards = len(inserts)
    _log(logger, "info", "Badge evaluation complete", {"awards": stats.awards})
    return stats


def _full_activities(
    db: Database, snapshot: ActivitySnapshot, until: str
) -> dict[str, list[dict[str, Any]]]:
    return _load_full_activities(db, until, points_by_slug(db, snapshot))


def _free_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base__2`, `base__3`… when another row already uses it."""
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}__{n}"
    taken.add(slug)
    return slug


def _meta_text(award: Award, rule_type: str) -> str:
    meta = {k: v for k, v in award.meta.items() if k not in ("rule_type", "auto_awarded")}
    meta["rule_type"] = rule_type
    meta["auto_awarded"] = True
    return dumps_compact(meta)
