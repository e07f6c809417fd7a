"""`leaderboard new-plugin [DIR]` (ECO-32/33): a plugin project whose tests pass out of the box.

The generated plugin is a working example of the public API (definitions in `setup`, an HTTP
fetch through `ctx.http()`, attribution through `ctx.identities`, records yielded from `scrape`),
with every other query-layer helper shown as commented examples where an author needs them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from leaderboard import __version__
from leaderboard.errors import LeaderboardError, UsageError

PLUGIN_NAME = re.compile(r"^[a-z0-9-]+$")


class CreationCancelled(LeaderboardError):
    exit_code = 1


@dataclass(frozen=True)
class PluginAnswers:
    name: str
    description: str
    author: str

    @property
    def distribution(self) -> str:
        return f"leaderboard-plugin-{self.name}"

    @property
    def module(self) -> str:
        return f"leaderboard_plugin_{self.name.replace('-', '_')}"

    @property
    def slug(self) -> str:
        """The example activity type (`<name>_event`, a valid slug)."""
        return f"{self.name.replace('-', '_')}_event"


def name_problem(name: str) -> str | None:
    if PLUGIN_NAME.match(name):
        return None
    return f"plugin name must match ^[a-z0-9-]+$ (lower-case letters, digits, -): got {name!r}"


def default_author() -> str:
    try:
        done = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    except OSError:
        pass
    return "Anonymous"


def _minor() -> str:
    major, minor = __version__.split(".")[:2]
    return f"{major}.{minor}"


def pyproject(a: PluginAnswers) -> str:
    return f'''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{a.distribution}"
version = "0.1.0"
description = {_toml(a.description)}
authors = [{{ name = {_toml(a.author)} }}]
license = "MIT"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["contributor-leaderboard>={_minor()}"]

[project.optional-dependencies]
test = ["pytest"]

[project.entry-points."leaderboard.plugins"]
{a.name} = "{a.module}:plugin"

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
'''


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def module_source(a: PluginAnswers) -> str:
    doc = a.description.replace('"""', "'''")
    return f'''"""{doc}

A contributor-leaderboard plugin. The runner calls `setup`, `scrape` and `aggregate` in that order
(see the plugin documentation); everything used here comes from the public API.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from leaderboard.plugins.api import Activity, ActivityDefinition

NAME = "{a.name}"
EVENT = "{a.slug}"

activity_definitions = [
    ActivityDefinition(EVENT, "{a.name} event", "Something happened in {a.name}", 1, "sparkles"),
]


def setup(ctx: Any) -> None:
    """Create definitions (idempotent) before scraping."""
    for definition in activity_definitions:
        ctx.queries.activity_definitions.insert_or_ignore(ctx.db, definition)
    # More examples of the query layer:
    # ctx.queries.aggregate_definitions.upsert(ctx.db, {{
    #     "slug": "{a.slug}_count", "name": "{a.name} events",
    #     "description": "Events counted by the {a.name} plugin", "hidden": False}})
    # ctx.queries.badge_definitions.upsert(ctx.db, {{
    #     "slug": "{a.slug}_fan", "name": "{a.name} fan", "description": "Busy in {a.name}",
    #     "variants": {{
    #         "bronze": {{"description": "10+ events", "svg_url": "/b/bronze.svg", "order": 1}},
    #         "silver": {{"description": "50+ events", "svg_url": "/b/silver.svg", "order": 2}},
    #         "gold": {{"description": "100+ events", "svg_url": "/b/gold.svg", "order": 3}}}}}})


def scrape(ctx: Any) -> list[Activity]:
    """Fetch events from `<apiUrl>/events` and return them as activities."""
    base = ctx.config.get("apiUrl", "https://api.example.org")
    with ctx.http(base) as client:
        response = client.get("/events")
        response.raise_for_status()
        events = response.json()
    records = []
    for event in events:
        # One person = one contributor: resolve the account, creating the contributor if new.
        username = ctx.identities.resolve_or_create(
            "github",
            event["login"],
            username=event["login"],
            defaults={{"role": ctx.config.get("role", "contributor"), "name": event.get("name")}},
        )
        records.append(
            Activity(
                slug=f"{{NAME}}-{{event['id']}}",
                contributor=username,
                activity_definition=EVENT,
                occurred_at=event["occurred_at"],
                title=event.get("title"),
                link=event.get("url"),
                points=None,  # None: the definition's points apply
            )
        )
        # Or write directly through the query layer:
        # ctx.queries.activities.upsert(ctx.db, records[-1])
    ctx.checkpoint()  # keep what was written so far if a later step fails
    return records


def aggregate(ctx: Any) -> None:
    """Compute plugin aggregates and award badges after the standard aggregation."""
    # for row in ctx.db.execute("SELECT contributor, COUNT(*) FROM activity "
    #                           "WHERE activity_definition = ? GROUP BY contributor", (EVENT,)):
    #     ctx.queries.contributor_aggregates.upsert(ctx.db, {{
    #         "aggregate": "{a.slug}_count", "contributor": row[0],
    #         "value": {{"type": "number", "value": row[1], "unit": "events",
    #                   "format": "integer"}}}})
    #     if row[1] >= 10:
    #         ctx.queries.contributor_badges.award(ctx.db, {{
    #             "slug": f"{a.slug}_fan__{{row[0]}}__bronze", "badge": "{a.slug}_fan",
    #             "contributor": row[0], "variant": "bronze",
    #             "achieved_on": ctx.now.strftime("%Y-%m-%d")}})


plugin = SimpleNamespace(
    name=NAME,
    version="0.1.0",
    activity_definitions=activity_definitions,
    setup=setup,
    scrape=scrape,
    aggregate=aggregate,
)
'''


def tests_source(a: PluginAnswers) -> str:
    return f'''"""Tests for the {a.name} plugin, using the fixtures of `leaderboard.testing`."""

from __future__ import annotations

from types import SimpleNamespace

import httpx

from leaderboard.plugins.hooks import run_hook
from leaderboard.testing import RecordingTransport, make_context
from {a.module} import plugin

EVENTS = [
    {{"id": 1, "login": "ada-lovelace", "name": "Ada", "title": "First event",
      "occurred_at": "2025-01-14T09:30:00Z", "url": "https://example.org/e/1"}},
    {{"id": 2, "login": "grace-hopper", "title": "Second event",
      "occurred_at": "2025-01-15T08:00:00Z"}},
]


def test_metadata() -> None:
    assert plugin.name == "{a.name}"
    assert plugin.version == "0.1.0"


def test_setup_creates_the_definitions(lb_db, tmp_path) -> None:
    ctx = make_context("{a.name}", db=lb_db, data_dir=tmp_path)
    plugin.setup(ctx)
    slugs = [row[0] for row in lb_db.execute("SELECT slug FROM activity_definition")]
    assert slugs == ["{a.slug}"]


def test_scrape_with_a_recording_transport(lb_db, tmp_path) -> None:
    transport = RecordingTransport(lambda request: httpx.Response(200, json=EVENTS))
    ctx = make_context("{a.name}", config={{"apiUrl": "https://api.test"}}, db=lb_db,
                       data_dir=tmp_path, transport=transport)
    plugin.setup(ctx)
    loaded = SimpleNamespace(id="{a.name}", index=1, plugin=plugin)
    result = run_hook(lb_db, loaded, "scrape", ctx)
    assert result.status == "ok", result
    assert transport.urls() == ["https://api.test/events"]
    rows = lb_db.execute("SELECT contributor, title FROM activity ORDER BY slug").fetchall()
    assert [tuple(r) for r in rows] == [("ada-lovelace", "First event"),
                                        ("grace-hopper", "Second event")]
'''


def readme(a: PluginAnswers) -> str:
    return f"""# {a.distribution}

{a.description}

A plugin for [contributor-leaderboard](https://github.com/contributor-leaderboard/contributor-leaderboard).

## Installation

```sh
pip install -e .            # from this checkout, next to contributor-leaderboard
```

## Configuration

Add it to the data repository's `config.yaml`:

```yaml
leaderboard:
  plugins:
    {a.name}:
      source: {a.name}
      config:
        apiUrl: https://api.example.org
```

Check it with `leaderboard plugins` and `leaderboard validate`.

## Tests

```sh
pip install -e '.[test]'
pytest
```

The tests use `leaderboard.testing`: an in-memory database (`lb_db`), a real plugin context
(`make_context`) and `RecordingTransport`, so they never touch the network.

## Publishing

Build with `python -m build` and upload with `twine upload dist/*` (or a trusted-publishing
GitHub workflow). Users then `pip install {a.distribution}` and set `source: {a.name}`.
"""


GITIGNORE = "__pycache__/\n*.py[cod]\n*.egg-info/\nbuild/\ndist/\n.venv/\n.pytest_cache/\n"


def render(a: PluginAnswers) -> dict[str, str]:
    return {
        "pyproject.toml": pyproject(a),
        f"src/{a.module}/__init__.py": module_source(a),
        "tests/test_plugin.py": tests_source(a),
        "README.md": readme(a),
        ".gitignore": GITIGNORE,
    }


def check_target(directory: Path) -> None:
    """ECO-32: missing or completely empty (dotfiles count)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise LeaderboardError(f"Directory {directory} is not empty")


def _prompt(label: str, default: str | None = None) -> str:
    try:
        value = str(click.prompt(label, default=default or "", show_default=bool(default)))
    except (click.Abort, EOFError, KeyboardInterrupt):
        raise CreationCancelled("Creation cancelled.") from None
    if not value.strip():
        raise CreationCancelled("Creation cancelled.")
    return value.strip()


def run_new_plugin(
    directory: Path,
    *,
    name: str | None,
    description: str | None,
    author: str | None,
    interactive: bool,
    echo: Callable[[str], None] = click.echo,
) -> int:
    directory = directory.expanduser().absolute()
    check_target(directory)
    if interactive:
        while True:
            name = _prompt("Plugin name", name)
            problem = name_problem(name)
            if not problem:
                break
            echo(f"  {problem}")
            name = None
        description = _prompt("Description", description)
        author = _prompt("Author", author or default_author())
    missing = [
        flag
        for flag, value in (("--name", name), ("--description", description))
        if not value or not value.strip()
    ]
    if missing:
        raise UsageError(f"Missing required values: {', '.join(missing)}")
    assert name is not None and description is not None
    problem = name_problem(name)
    if problem:
        raise UsageError(f"--name: {problem}")
    answers = PluginAnswers(name, description.strip(), (author or default_author()).strip())
    from leaderboard.datarepo.atomic import write_if_changed

    for rel, text in render(answers).items():
        write_if_changed(directory / rel, text.encode("utf-8"))
    echo(f"Created plugin project {answers.distribution} in {directory}")
    echo("Next steps:")
    echo(f"  cd {directory}")
    echo("  pip install -e '.[test]' && pytest")
    echo(
        f"  add `{answers.name}: {{source: {answers.name}}}` under leaderboard.plugins in "
        "config.yaml"
    )
    return 0


def is_interactive(no_input: bool) -> bool:
    return not no_input and sys.stdin.isatty()
