"""ECO-54 and WEB-57: Slack mrkdwn → sanitised HTML, one case per line of the JSONL corpora.

`formatting.jsonl` pins the output of every construct; `hostile.jsonl` holds messages meant to
break out (script, `javascript:` links, attribute injection, unbalanced markers, control
characters, huge input). Every case must also satisfy the safety invariants below, whatever
its expected output says.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from leaderboard.builtin.slack.mrkdwn import convert, to_html
from leaderboard.site.markdown import ALLOWED_TAGS, sanitize_html

CORPUS = Path(__file__).parents[2] / "fixtures" / "slack" / "mrkdwn"
NAMES = {"U02VIGNESH": "vigneshhari"}
VOID = {"br", "hr", "img"}


def _cases(name: str) -> list[Any]:
    rows = []
    for number, line in enumerate((CORPUS / name).read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        rows.append(pytest.param(row, id=f"{name}:{number}:{row['name']}"))
    return rows


class _Structure(HTMLParser):
    """Collects tags and attributes and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, k, v) for k, v in attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close {self.stack[-1:] or 'anything'}")
        else:
            self.stack.pop()


def _check_safe(html: str) -> None:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    assert not parser.problems, parser.problems
    assert not parser.stack, f"unclosed: {parser.stack}"
    assert parser.tags <= ALLOWED_TAGS
    for tag, name, value in parser.attributes:
        assert (tag, name) in {("a", "href"), ("a", "rel"), ("code", "class")}, (tag, name)
        if name == "href":
            assert re.match(r"^(https?:|mailto:)", value or ""), value
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", html)
    assert sanitize_html(html) == html  # already sanitised: the site changes nothing


@pytest.mark.parametrize("case", _cases("formatting.jsonl"))
def test_formatting(case: dict[str, Any]) -> None:
    html = convert(case["input"], NAMES.get)
    assert html == case["html"]
    _check_safe(html)


@pytest.mark.parametrize("case", _cases("hostile.jsonl"))
def test_hostile(case: dict[str, Any]) -> None:
    text = case["input"] * case.get("repeat", 1)
    html = convert(text, NAMES.get)
    if "html" in case:
        assert html == case["html"]
    _check_safe(html)
    # Even before the sanitiser, the converter itself never emits markup a person typed.
    raw = to_html(text, NAMES.get)
    assert not re.search(r"<(script|style|img|iframe|svg)\b", raw, re.I)
    parsed = _Structure()
    parsed.feed(raw)
    assert {name for _, name, _ in parsed.attributes} <= {"href"}  # no event handler, no style
    if case.get("repeat"):
        assert len(html) >= len(text) // 4  # nothing silently dropped from long messages


def test_mentions_use_the_resolver_and_fall_back_to_the_id() -> None:
    seen: list[str] = []

    def names(user: str) -> str | None:
        seen.append(user)
        return NAMES.get(user)

    assert convert("<@U02VIGNESH> and <@U0NOBODY>", names) == "@vigneshhari and @U0NOBODY"
    assert seen == ["U02VIGNESH", "U0NOBODY"]


def test_empty_and_missing_text() -> None:
    assert convert(None) == ""
    assert convert("") == ""
