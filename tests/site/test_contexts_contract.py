"""NEW-29: template contexts are a public API. Every page template renders with exactly the
documented names (`site`, `page`, `ctx` plus the globals) and only the documented dataclass
fields; a template reaching for anything else (a method, a private attribute, an undocumented
key) fails here before an overriding template could come to depend on it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jinja2 import meta, nodes
from markupsafe import Markup

from leaderboard.site import BuildOptions, build_site, render
from leaderboard.site.contexts import (
    PARTIAL_TEMPLATES,
    TEMPLATE_CONTEXTS,
    TEMPLATE_GLOBALS,
    PageMeta,
    SiteContext,
)
from leaderboard.site.env import PACKAGE_TEMPLATES, make_environment

NAMES = {"site", "page", "ctx"}
EXPLORER = "data.html"  # owned by the explorer: `site`, `page` and an `explorer` mapping


class Strict:
    """A read-only view of a context dataclass exposing its declared fields and nothing else."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        object.__setattr__(self, "_obj", obj)

    def __getattr__(self, name: str) -> Any:
        obj = object.__getattribute__(self, "_obj")
        fields = {f.name for f in dataclasses.fields(obj)}
        if name not in fields:
            raise AttributeError(f"{type(obj).__name__} has no documented field {name!r}")
        return strict(getattr(obj, name))

    def __getitem__(self, name: str) -> Any:
        raise KeyError(name)


def strict(value: Any) -> Any:
    if isinstance(value, Markup | str | int | float | bool) or value is None:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return Strict(value)
    if isinstance(value, list):
        return [strict(v) for v in value]
    if isinstance(value, tuple):
        return tuple(strict(v) for v in value)
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, Any, Any]]]:
    """(site, page, ctx) of every page rendered by a full fixture build, by template."""
    import logging
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from sitefixture import NOW, make_config, make_data_dir

    root = tmp_path_factory.mktemp("contract")
    data, db = make_data_dir(root)
    shutil.copytree(Path(__file__).parent / "fixture_docs", data / "docs")
    seen: dict[str, list[tuple[Any, Any, Any]]] = {}
    original = render.PageRenderer.render_to

    def record(self: Any, rel: str, template: str, page: Any, ctx: Any) -> Any:
        seen.setdefault(template, []).append((self.site, page, ctx))
        return original(self, rel, template, page, ctx)

    render.PageRenderer.render_to = record  # type: ignore[method-assign]
    try:
        build_site(
            BuildOptions(
                data_dir=data,
                config=make_config(),
                now=NOW,
                out=root / "out",
                db_path=db,
                cache_dir=root / "cache",
                og=False,
                explorer=False,
                avatars="none",
                offline=True,
                workers=1,
                logger=logging.getLogger("contract"),
            )
        )
    finally:
        render.PageRenderer.render_to = original  # type: ignore[method-assign]
    return seen


def test_new_29_every_template_is_documented() -> None:
    on_disk = {p.name for p in PACKAGE_TEMPLATES.glob("*.html")}
    assert on_disk == set(TEMPLATE_CONTEXTS) | set(PARTIAL_TEMPLATES) | {EXPLORER}


def test_new_29_templates_use_only_the_documented_names() -> None:
    env = make_environment()
    allowed = NAMES | set(TEMPLATE_GLOBALS) | {"m"}  # `m`: macros.html, imported by base.html
    partial_extra = {"_table.html": {"rows", "caption", "table_id"}}
    for name in sorted(set(TEMPLATE_CONTEXTS) | set(PARTIAL_TEMPLATES)):
        source = (PACKAGE_TEMPLATES / name).read_text("utf-8")
        ast = env.parse(source)
        own_macros = {node.name for node in ast.find_all(nodes.Macro)}
        # `{% set x = … %}` inside a block is the template's own name, not a context name
        own_sets = {
            t.name
            for a in ast.find_all(nodes.Assign)
            for t in [a.target, *a.target.find_all(nodes.Name)]
            if isinstance(t, nodes.Name)
        }
        used = meta.find_undeclared_variables(ast) - own_macros - own_sets
        assert used <= allowed | partial_extra.get(name, set()), (name, used - allowed)


def test_new_29_every_page_kind_was_rendered(captured: dict[str, list[Any]]) -> None:
    assert set(captured) == set(TEMPLATE_CONTEXTS)


@pytest.mark.parametrize("template", sorted(TEMPLATE_CONTEXTS))
def test_new_29_templates_render_with_exactly_the_documented_fields(
    captured: dict[str, list[tuple[Any, Any, Any]]], template: str
) -> None:
    from leaderboard.site import format as fmt

    env = make_environment()
    icons = lambda *a, **k: Markup("<svg></svg>")  # noqa: E731
    env.globals.update(icons=icons, fmt=fmt, tz=ZoneInfo("Asia/Kolkata"))
    for site, page, ctx in captured[template]:
        assert isinstance(site, SiteContext) and isinstance(page, PageMeta)
        assert isinstance(ctx, TEMPLATE_CONTEXTS[template]), template
        html = env.get_template(template).render(
            site=strict(site), page=strict(page), ctx=strict(ctx)
        )
        assert html.startswith("<!DOCTYPE html>"), template


def test_new_29_an_undocumented_field_fails_the_render(
    captured: dict[str, list[tuple[Any, Any, Any]]],
) -> None:
    from jinja2 import UndefinedError

    env = make_environment()
    site, page, _ = captured["404.html"][0]
    source = '{% extends "base.html" %}{% block content %}{{ page._secret }}{% endblock %}'
    env.globals.update(icons=lambda *a, **k: Markup(""), fmt=None, tz=None)
    with pytest.raises(UndefinedError):
        env.from_string(source).render(site=strict(site), page=strict(page), ctx=None)
