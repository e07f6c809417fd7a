"""Table definitions (CORE-32…CORE-34). Column order of the eight upstream tables is kept."""

from __future__ import annotations

CORE_TABLES = """
CREATE TABLE IF NOT EXISTS contributor (
  username TEXT PRIMARY KEY COLLATE NOCASE,
  name TEXT,
  role TEXT NOT NULL,
  title TEXT,
  avatar_url TEXT,
  bio TEXT,
  social_profiles JSON,
  joining_date TEXT,
  meta JSON,
  visibility TEXT,
  pseudonym TEXT,
  bot INTEGER,
  identities JSON,
  extra JSON
);
CREATE TABLE IF NOT EXISTS activity_definition (
  slug TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  points INTEGER,
  icon TEXT,
  extra JSON
);
CREATE TABLE IF NOT EXISTS activity (
  slug TEXT PRIMARY KEY,
  contributor TEXT NOT NULL REFERENCES contributor(username) ON UPDATE CASCADE,
  activity_definition TEXT NOT NULL REFERENCES activity_definition(slug),
  title TEXT,
  occurred_at TEXT NOT NULL,
  link TEXT,
  text TEXT,
  points INTEGER,
  meta JSON,
  extra JSON
);
CREATE TABLE IF NOT EXISTS global_aggregate (
  slug TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  value JSON NOT NULL,
  hidden INTEGER NOT NULL DEFAULT 0,
  meta JSON,
  extra JSON
);
CREATE TABLE IF NOT EXISTS contributor_aggregate_definition (
  slug TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  hidden INTEGER NOT NULL DEFAULT 0,
  extra JSON
);
CREATE TABLE IF NOT EXISTS contributor_aggregate (
  aggregate TEXT NOT NULL REFERENCES contributor_aggregate_definition(slug),
  contributor TEXT NOT NULL REFERENCES contributor(username) ON UPDATE CASCADE,
  value JSON NOT NULL,
  meta JSON,
  extra JSON,
  PRIMARY KEY (aggregate, contributor)
);
CREATE TABLE IF NOT EXISTS badge_definition (
  slug TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  variants JSON NOT NULL,
  extra JSON
);
CREATE TABLE IF NOT EXISTS contributor_badge (
  slug TEXT PRIMARY KEY,
  badge TEXT NOT NULL REFERENCES badge_definition(slug),
  contributor TEXT NOT NULL REFERENCES contributor(username) ON UPDATE CASCADE,
  variant TEXT NOT NULL,
  achieved_on TEXT NOT NULL,
  meta JSON,
  extra JSON
);
"""

EXTRA_TABLES = """
CREATE TABLE IF NOT EXISTS contributor_identity (
  namespace TEXT NOT NULL,
  value TEXT NOT NULL,
  contributor TEXT NOT NULL REFERENCES contributor(username) ON DELETE CASCADE ON UPDATE CASCADE,
  explicit INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (namespace, value)
);
CREATE TABLE IF NOT EXISTS unresolved_identity (
  namespace TEXT NOT NULL,
  value TEXT NOT NULL,
  plugin TEXT,
  hint TEXT,
  first_seen TEXT,
  last_seen TEXT,
  count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (namespace, value)
);
CREATE TABLE IF NOT EXISTS _leaderboard_meta (
  key TEXT PRIMARY KEY,
  value TEXT
);
CREATE TABLE IF NOT EXISTS _run (
  id INTEGER PRIMARY KEY,
  command TEXT,
  phases TEXT,
  started_at TEXT,
  finished_at TEXT,
  status TEXT,
  summary JSON
);
"""

INDEXES = """
CREATE INDEX IF NOT EXISTS idx_activity_occurred_at ON activity(occurred_at);
CREATE INDEX IF NOT EXISTS idx_activity_contributor ON activity(contributor);
CREATE INDEX IF NOT EXISTS idx_activity_definition ON activity(activity_definition);
CREATE INDEX IF NOT EXISTS idx_contributor_aggregate_contributor ON contributor_aggregate(contributor);
CREATE INDEX IF NOT EXISTS idx_contributor_aggregate_aggregate ON contributor_aggregate(aggregate);
CREATE UNIQUE INDEX IF NOT EXISTS idx_contributor_badge_unique ON contributor_badge(badge, contributor, variant);
CREATE INDEX IF NOT EXISTS idx_contributor_badge_contributor ON contributor_badge(contributor);
CREATE INDEX IF NOT EXISTS idx_contributor_badge_badge ON contributor_badge(badge);
CREATE INDEX IF NOT EXISTS idx_contributor_badge_achieved_on ON contributor_badge(achieved_on);
CREATE INDEX IF NOT EXISTS idx_contributor_identity_contributor ON contributor_identity(contributor);
"""

# Columns per exported table, in schema order; the data repo and the public DB build from these.
COLUMNS: dict[str, tuple[str, ...]] = {
    "contributor": (
        "username",
        "name",
        "role",
        "title",
        "avatar_url",
        "bio",
        "social_profiles",
        "joining_date",
        "meta",
        "visibility",
        "pseudonym",
        "bot",
        "identities",
        "extra",
    ),
    "activity_definition": ("slug", "name", "description", "points", "icon", "extra"),
    "activity": (
        "slug",
        "contributor",
        "activity_definition",
        "title",
        "occurred_at",
        "link",
        "text",
        "points",
        "meta",
        "extra",
    ),
    "global_aggregate": ("slug", "name", "description", "value", "hidden", "meta", "extra"),
    "contributor_aggregate_definition": ("slug", "name", "description", "hidden", "extra"),
    "contributor_aggregate": ("aggregate", "contributor", "value", "meta", "extra"),
    "badge_definition": ("slug", "name", "description", "variants", "extra"),
    "contributor_badge": (
        "slug",
        "badge",
        "contributor",
        "variant",
        "achieved_on",
        "meta",
        "extra",
    ),
}

# Columns holding JSON text (CORE-36); the query layer parses them on the way out.
# An activity's own fields (upstream's columns; `extra` holds the rest), in file and table order.
ACTIVITY_FIELDS: tuple[str, ...] = tuple(c for c in COLUMNS["activity"] if c != "extra")

JSON_COLUMNS: dict[str, frozenset[str]] = {
    "contributor": frozenset({"social_profiles", "meta", "identities", "extra"}),
    "activity_definition": frozenset({"extra"}),
    "activity": frozenset({"meta", "extra"}),
    "global_aggregate": frozenset({"value", "meta", "extra"}),
    "contributor_aggregate_definition": frozenset({"extra"}),
    "contributor_aggregate": frozenset({"value", "meta", "extra"}),
    "badge_definition": frozenset({"variants", "extra"}),
    "contributor_badge": frozenset({"meta", "extra"}),
}
