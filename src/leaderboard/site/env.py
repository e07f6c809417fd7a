"""The Jinja2 environment of the site (WEB-05, NEW-29).

Autoescaping for `.html`, `.xml` and `.svg`; undefined variables raise, so a template bug fails the
build instead of publishing an empty string. Templates in `<data dir>/templates/` override the
packaged ones of the same name; `{% extends "default:base.html" %}` reaches the packaged original.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from leaderboard.site.model import safe_href

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
PACKAGE_STATIC = Path(__file__).parent / "static"


def _tojson_script(value: Any) -> Markup:
    """JSON for a `<script type="application/json">` block: `<`, `>` and `&` escaped."""
    from leaderboard.jsonfmt import dumps_compact

    text = dumps_compact(value)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def make_environment(override_dir: Path | None = None) -> Environment:
    """A fresh environment; overrides first, then the packaged templates."""
    package = FileSystemLoader(str(PACKAGE_TEMPLATES))
    loaders: list[Any] = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(FileSystemLoader(str(override_dir)))
    loaders.append(package)
    env = Environment(
        loader=ChoiceLoader([PrefixLoader({"default": package}, delimiter=":"), *loaders]),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["script_json"] = _tojson_script
    env.filters["safe_href"] = safe_href
    return env


def template_digest(env: Environment, names: Iterable[str] | None = None) -> str:
    """sha256 over the sources of all templates (overrides included): part of page fingerprints."""
    h = hashlib.sha256()
    for name in sorted(names if names is not None else env.list_templates()):
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        h.update(name.encode())
        h.update(b"\0")
        h.update(source.encode())
        h.update(b"\0")
    return h.hexdigest()
