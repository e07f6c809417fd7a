"""A fixture organisation shaped like a real one, for the browser checks of WEB-60/WEB-07.

On top of the small site fixture (XSS corpus, populations): the Tailwind v4 `theme.css` of
`fixture_org/`, a local logo, and about 260 more contributors — very long unbreakable usernames,
a second bot, three very active maintainers with hundreds of activities, and a long tail of
people with one or two — so leaderboards and the People list need numbered pages and profiles a
bounded timeline.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from sitefixture import NOW, make_config, make_data_dir

from leaderboard.config.model import Config
from leaderboard.db.database import Database
from leaderboard.timeutil import canonical

THEME = Path(__file__).parent / "fixture_org" / "theme.css"
LONG = [
    "khavinshankar-contributions-account",
    "supercalifragilisticexpialidocious-dev",
    "a" * 39,
]
CORE = ["rithviknishad", "gigincg", "nihal467"]
DEFS = ["pr_merged", "pr_reviewed", "issue_opened", "comment"]
# a 1×1 PNG: the org logo, served from the site itself
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def org_config() -> Config:
    cfg = make_config()
    return dataclasses.replace(
        cfg,
        org=dataclasses.replace(cfg.org, logo_url="/assets/img/logo.png"),
        meta=dataclasses.replace(cfg.meta, favicon_url="", image_url=""),
    )


def _add(db: Database) -> None:
    people: list[tuple[str, str | None, str, int | None]] = []
    people += [(u, None, "contributor", None) for u in LONG]
    people += [(u, u.title(), "core", None) for u in CORE]
    people += [("dependabot[bot]", "Dependabot", "contributor", 1)]
    people += [
        (f"tail-{i:03d}", f"Occasional Contributor {i}", "contributor", None) for i in range(250)
    ]
    with db.transaction():
        for username, name, role, bot in people:
            db.execute(
                "INSERT INTO contributor(username, name, role, avatar_url, joining_date, bot) "
                "VALUES (?,?,?,?,?,?)",
                (username, name, role, None, "2024-01-01", bot),
            )
        n = 0

        def act(username: str, i: int, hours: float, slug: str) -> None:
            nonlocal n
            db.execute(
                "INSERT INTO activity(slug, contributor, activity_definition, title, occurred_at, "
                "link, text, points) VALUES (?,?,?,?,?,?,?,?)",
                (
                    f"org-{n}",
                    username,
                    slug,
                    f"Improve the {slug.replace('_', ' ')} flow for facility-wide reporting #{i}",
                    canonical(NOW - timedelta(hours=hours)),
                    f"https://github.com/example-org/care/pull/{n}",
                    f"Work item {i}",
                    None,
                ),
            )
            n += 1

        for k, username in enumerate(CORE):  # hundreds each, over two years
            for i in range(420 - 60 * k):
                act(username, i, 5 + i * 40 + k, DEFS[(i + k) % 3])
        for k, username in enumerate(LONG):  # active this week: on the podium and the week page
            for i in range(30 - 5 * k):
                act(username, i, 2 + i * 5 + k, DEFS[i % 3])
        for i in range(60):
            act("dependabot[bot]", i, 3 + i * 30, "pr_merged")
        for i in range(250):  # the long tail: one or two activities spread over 18 months
            username = f"tail-{i:03d}"
            act(username, 0, 20 + i * 50, DEFS[i % 3])
            if i % 3 == 0:
                act(username, 1, 30 + i * 50, "comment" if i % 2 else "issue_opened")


def make_org_data_dir(root: Path, badge_host: str) -> tuple[Path, Path]:
    """`badge_host` (another origin) serves the badge art, which the build must copy in."""
    data, db_path = make_data_dir(root)
    (data / "theme.css").write_bytes(THEME.read_bytes())
    (data / "assets" / "img" / "logo.png").write_bytes(PNG)
    db = Database.open(db_path)
    _add(db)
    with db.transaction():
        for row in db.query("SELECT slug, variants FROM badge_definition"):
            variants = row["variants"].replace("https://example.org", badge_host)
            db.execute(
                "UPDATE badge_definition SET variants = ? WHERE slug = ?", (variants, row["slug"])
            )
    db.close()
    return data, db_path
