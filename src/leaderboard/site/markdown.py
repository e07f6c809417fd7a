"""Markdown rendering and HTML sanitising for everything that comes from data (WEB-57).

Bios and docs are CommonMark with the GitHub extensions (tables, strikethrough, autolinks, task
lists); activity `text` is already HTML (Slack). Either way the result passes through one nh3
allow-list, so a contributor's profile can never run script on the organisation's site. Plain
text for meta tags, SVG titles and OG images comes from the same sanitiser with no tags allowed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markupsafe import Markup, escape

_TAG_LIST = (
    "a abbr b blockquote br code del details em h1 h2 h3 h4 h5 h6 hr i img ins kbd li ol p pre s "
    "small span strong sub summary sup table tbody td tfoot th thead tr ul"
)  # the spec's list, verbatim
ALLOWED_TAGS = frozenset(_TAG_LIST.split(" "))
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_WHITESPACE = re.compile(r"\s+")
_TASK = re.compile(r"^\[([ xX])\]\s")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Keep only `language-*` classes on `code` (syntax hints); everything else passes."""
    if tag == "code" and attr == "class":
        kept = [c for c in value.split() if re.fullmatch(r"language-[A-Za-z0-9_+#.-]+", c)]
        return " ".join(kept) or None
    return value


def sanitize_html(fragment: str) -> str:
    """The WEB-57 allow-list applied to an HTML fragment (no heading changes)."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        link_rel=LINK_REL,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
    )


def plain_text(fragment: str | None) -> str:
    """Tags stripped (script/style with their content), entities decoded, whitespace collapsed."""
    if not fragment:
        return ""
    stripped = nh3.clean(fragment, tags=set(), clean_content_tags={"script", "style"})
    return _WHITESPACE.sub(" ", html.unescape(stripped)).strip()


def _task_list_rule(state: StateCore) -> None:
    """GitHub task lists: a list item starting `[ ]`/`[x]` gets a ☐/☑ glyph.

    The sanitiser does not allow `<input>`, so the checkbox is rendered as text, which also
    reads correctly in feeds and screen readers.
    """
    tokens = state.tokens
    for i in range(2, len(tokens)):
        tok = tokens[i]
        if tok.type != "inline" or tokens[i - 2].type != "list_item_open" or not tok.children:
            continue
        first = tok.children[0]
        if first.type != "text":
            continue
        match = _TASK.match(first.content)
        if match:
            glyph = "☐" if match.group(1) == " " else "☑"
            first.content = glyph + " " + first.content[match.end() :]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.core.ruler.push("task_lists", _task_list_rule)
    return md


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # after demotion
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    html: Markup
    headings: tuple[Heading, ...]  # in document order, every level

    @property
    def title(self) -> str | None:
        """Text of a level-1 heading that opens the document, if any (WEB-50)."""
        if self.headings and self.headings[0].level == 1 and str(self.html).startswith("<h1"):
            return self.headings[0].text
        return None

    def toc(self, levels: Sequence[int] = (2, 3)) -> list[Heading]:
        """Headings for an "On this page" list."""
        return [h for h in self.headings if h.level in levels]


def slugify(text: str) -> str:
    """GitHub-style anchor: lower-case, punctuation removed, spaces → `-`."""
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-") or "section"


def _headings(sanitized: str, demote: int, anchors: bool) -> tuple[str, list[Heading]]:
    headings: list[Heading] = []
    used: dict[str, int] = {}

    def replace(match: re.Match[str]) -> str:
        level = min(int(match.group(1)) + demote, 6)
        inner = match.group(2)
        text = plain_text(inner)
        base = slugify(text)
        n = used.get(base, 0)
        used[base] = n + 1
        anchor = base if n == 0 else f"{base}-{n}"
        headings.append(Heading(level, anchor, text))
        attr = f' id="{escape(anchor)}"' if anchors else ""
        return f"<h{level}{attr}>{inner}</h{level}>"

    return _HEADING.sub(replace, sanitized), headings


def render_markdown_document(
    text: str, *, demote: int = 0, anchors: bool = False
) -> RenderedMarkdown:
    """Markdown → sanitised HTML plus its headings (docs pages use `anchors=True`)."""
    raw = _parser().render(text or "")
    body, headings = _headings(sanitize_html(raw), demote, anchors)
    return RenderedMarkdown(Markup(body.strip()), tuple(headings))


def render_markdown(text: str | None, *, demote: int = 0, anchors: bool = False) -> Markup:
    """Markdown → sanitised HTML. Bios use `demote=2` (`h1` → `h3`)."""
    if not text:
        return Markup("")
    return render_markdown_document(text, demote=demote, anchors=anchors).html


def render_bio(text: str | None) -> Markup:
    """A contributor bio (headings demoted by two levels)."""
    return render_markdown(text, demote=2)


def sanitize_activity_text(text: str | None) -> Markup:
    """Activity `text` is HTML: sanitised, headings demoted by two levels."""
    if not text:
        return Markup("")
    body, _ = _headings(sanitize_html(text), 2, False)
    return Markup(body)


def markdown_plain_text(text: str | None) -> str:
    """The plain text of a Markdown document (meta descriptions, JSON-LD, OG images)."""
    if not text:
        return ""
    return plain_text(_parser().render(text))
