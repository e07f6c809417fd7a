"""Assemble a small explorer site for tests: public DB, data page, explorer.js and assets.

The page is rendered with the site's Jinja environment; `base.html` is replaced by a minimal
layout with the same blocks so the test does not depend on the whole site context.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "publicdb"))

from lbsample import NOW, fill_working, make_config

from leaderboard.config.model import Config
from leaderboard.db.database import Database
from leaderboard.explorer.page import ExplorerOutcome, write_explorer
from leaderboard.publicdb import build_public_db
from leaderboard.site.env import PACKAGE_STATIC, make_environment

REPO = Path(__file__).resolve().parents[2]
REAL_VENDOR = REPO / "node_modules" / "sql.js-httpvfs"

MINIMAL_BASE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{{ page.title }}{% endblock %}</title>
{% block head %}{% endblock %}</head>
<body><main id="main">{% block content %}{% endblock %}</main>{% block scripts %}{% endblock %}</body></html>
"""


def write_site(
    out: Path,
    *,
    n_activities: int,
    config: Config | None = None,
    env: dict[str, str] | None = None,
    cache_dir: Path | None = None,
    offline: bool = True,
    base_path: str = "/",
    seed: int = 7,
) -> ExplorerOutcome:
    """Build the explorer part of a site into `out` and return the stage's outcome."""
    config = config or make_config()
    working = Database.memory()
    fill_working(working, n_activities=n_activities, n_people=60, seed=seed)
    public = build_public_db(working, out.parent / f"{out.name}-public.db", config=config, now=NOW)
    overrides = out.parent / f"{out.name}-templates"
    overrides.mkdir(parents=True, exist_ok=True)
    (overrides / "base.html").write_text(MINIMAL_BASE)
    jinja = make_environment(overrides)

    def write(rel: str, data: bytes) -> None:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def render(name: str, context: dict[str, Any]) -> str:
        return jinja.get_template(name).render(context)

    for script in ("explorer.js", "explorer-worker.js"):
        write(f"static/{script}", (PACKAGE_STATIC / script).read_bytes())
    write("404.html", b"<h1>Page not found</h1>")
    return write_explorer(
        write,
        render,
        public_db=public,
        config=config,
        page_context={"page": {"title": "Data Explorer"}},
        cache_dir=cache_dir or out.parent / "cache",
        offline=offline,
        logger=logging.getLogger("test.explorer"),
        base_path=base_path,
        env=env if env is not None else {"LEADERBOARD_VENDOR_DIR": str(REAL_VENDOR)},
    )
