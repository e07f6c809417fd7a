"""Slack mrkdwn → HTML (ECO-54), then the site's sanitiser (WEB-57).

Slack sends message text with `&`, `<` and `>` already escaped as entities; a literal `<` only
ever opens one of Slack's own tokens (`<url|label>`, `<@U123>`, `<#C123|name>`, `<!here>`).
So the converter first cuts the text into those tokens and plain text, decodes Slack's three
entities in the plain text and escapes it again for HTML — nothing is escaped twice, and nothing
a person typed can become markup. Every construct is built as an open/close pair from one match,
and emphasis is matched recursively inside its own span, so the output is always well nested;
the sanitiser then applies the same allow-list the site uses (defence in depth: the site
sanitises activity text again when it renders it).

Work is linear in the message length (no backtracking regexes over whole lines), so a hostile
40 000-character message costs milliseconds.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import emoji

# Mention → display name, e.g. a contributor's username; None keeps the Slack id.
MentionResolver = Callable[[str], str | None]

LINK_SCHEMES = ("http://", "https://", "mailto:")
# C0 controls except \t and \n, DEL, and the bidi embeddings/overrides/isolates used to disguise text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_TOKEN = re.compile(r"<([^<>\n]{1,4000})>")
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
_SHORTCODE = re.compile(r":([a-z0-9_+'-]{1,64}):(?::skin-tone-([2-6]):)?")
_QUOTE = re.compile(r"^(?:&gt;|>) ?")
_BULLET = re.compile(r"^\s*(?:[•◦▪‣]|-|\*)\s+(?=\S)")
_NUMBERED = re.compile(r"^\s*\d{1,4}[.)]\s+(?=\S)")
_MARKERS = {"*": "strong", "_": "em", "~": "del"}
# Characters that may not touch an emphasis marker from outside (Slack: `snake_case` is not italic).
_WORDISH = re.compile(r"[0-9A-Za-z*_~]")
# Slack shortcodes the `emoji` package does not know under the same alias.
_SLACK_ALIASES = {"simple_smile": "🙂", "slightly_smiling_face": "🙂", "thumbsup_all": "👍"}
_SKIN_TONES = {
    "2": "\U0001f3fb",
    "3": "\U0001f3fc",
    "4": "\U0001f3fd",
    "5": "\U0001f3fe",
    "6": "\U0001f3ff",
}


def _unslack(text: str) -> str:
    """Undo Slack's own escaping of `&`, `<`, `>` (amp last, so `&amp;lt;` stays `&lt;`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(text: str) -> str:
    """Plain Slack text → HTML text."""
    return html.escape(_unslack(text), quote=False)


def _emojify(escaped: str) -> str:
    """`:tada:` → 🎉 (with `::skin-tone-N:`); unknown and custom emoji stay as written."""

    def replace(match: re.Match[str]) -> str:
        name, tone = match.group(1), match.group(2)
        glyph = _SLACK_ALIASES.get(name)
        if glyph is None:
            converted = emoji.emojize(f":{name}:", language="alias")
            glyph = None if converted == f":{name}:" else converted
        if glyph is None:
            return match.group(0)
        return glyph + (_SKIN_TONES[tone] if tone else "")

    return _SHORTCODE.sub(replace, escaped)


@dataclass(frozen=True, slots=True)
class _Token:
    html: str  # as markup
    plain: str  # as text inside code (already HTML-escaped)


def _is_link(url: str) -> bool:
    lower = url.lower()
    return lower.startswith(LINK_SCHEMES) and len(url) > len("mailto:")


def _token(body: str, mention: MentionResolver | None) -> _Token:
    """One `<…>` token. Unknown or unsafe tokens become their escaped literal text."""
    target, _, label = body.partition("|")
    if target.startswith("@"):
        user = target[1:]
        name = (mention(user) if mention else None) or label or user
        text = _text("@" + name)
        return _Token(text, text)
    if target.startswith("#"):
        text = _text("#" + (label or target[1:]))
        return _Token(text, text)
    if target.startswith("!"):
        command = target[1:]
        if label:
            text = _text(
                label if label.startswith("@") or command.startswith("date") else "@" + label
            )
        else:
            text = _text("@" + command.split("^", 1)[0])
        return _Token(text, text)
    url = _unslack(target)
    if _is_link(url):
        shown = _text(label) if label else html.escape(url, quote=False)
        href = html.escape(url, quote=True)
        return _Token(f'<a href="{href}">{shown}</a>', shown)
    literal = _text(label) if label else html.escape("<" + _unslack(body) + ">", quote=False)
    return _Token(literal, literal)


class _Line:
    """One line being converted: tokens and code spans are placeholders until the end."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens

    def _put(self, html_text: str, plain: str) -> str:
        self.tokens.append(_Token(html_text, plain))
        return f"\x00{len(self.tokens) - 1}\x00"

    def _plain(self, raw: str) -> str:
        """Code content: placeholders → their plain text, the rest escaped, nothing formatted."""
        out: list[str] = []
        pos = 0
        for m in _PLACEHOLDER.finditer(raw):
            out.append(_text(raw[pos : m.start()]))
            out.append(self.tokens[int(m.group(1))].plain)
            pos = m.end()
        out.append(_text(raw[pos:]))
        return "".join(out)

    def convert(self, raw: str) -> str:
        """Inline code, escaping, emoji and emphasis for one line with token placeholders."""
        parts: list[str] = []
        pos = 0
        while True:
            start = raw.find("`", pos)
            end = raw.find("`", start + 1) if start >= 0 else -1
            if start < 0 or end < 0:
                break
            if end == start + 1:  # "``" is not a code span
                parts.append(raw[pos : end + 1])
                pos = end + 1
                continue
            parts.append(raw[pos:start])
            code = self._plain(raw[start + 1 : end])
            parts.append(self._put(f"<code>{code}</code>", code))
            pos = end + 1
        parts.append(raw[pos:])
        text = "".join(parts)
        # Escape and emojify the text between placeholders.
        out: list[str] = []
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            out.append(_emojify(_text(text[pos : m.start()])))
            out.append(m.group(0))
            pos = m.end()
        out.append(_emojify(_text(text[pos:])))
        formatted = _emphasis("".join(out), frozenset())
        return _PLACEHOLDER.sub(lambda m: self.tokens[int(m.group(1))].html, formatted)


def _closers(text: str, marker: str) -> list[int]:
    """`nxt[i]` = the first index ≥ i where `marker` can close a span (or -1); one pass."""
    n = len(text)
    nxt = [-1] * (n + 1)
    following = -1
    for i in range(n - 1, -1, -1):
        if (
            text[i] == marker
            and i > 0
            and not text[i - 1].isspace()
            and text[i - 1] != marker
            and (i + 1 == n or not _WORDISH.match(text[i + 1]))
        ):
            following = i
        nxt[i] = following
    return nxt


def _emphasis(text: str, active: frozenset[str]) -> str:
    """`*bold*`, `_italic_`, `~strike~`: each opener takes the nearest valid closer; the inside
    is formatted recursively, never with a marker already open (depth ≤ 3, always nested)."""
    markers = [m for m in _MARKERS if m not in active and m in text]
    if not markers:
        return text
    closers = {m: _closers(text, m) for m in markers}
    out: list[str] = []
    pos = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if (
            ch in closers
            and i + 1 < n
            and not text[i + 1].isspace()
            and text[i + 1] != ch
            and (i == 0 or not _WORDISH.match(text[i - 1]))
        ):
            j = closers[ch][i + 2] if i + 2 <= n else -1
            if j > i + 1:
                out.append(text[pos:i])
                tag = _MARKERS[ch]
                inner = _emphasis(text[i + 1 : j], active | {ch})
                out.append(f"<{tag}>{inner}</{tag}>")
                pos = i = j + 1
                continue
        i += 1
    out.append(text[pos:])
    return "".join(out)


def _blocks(lines: list[str], line: _Line) -> list[str]:
    """Quotes, lists and plain lines → HTML pieces; plain lines are joined with `<br>`."""
    pieces: list[str] = []
    run: list[str] = []
    i = 0

    def flush() -> None:
        if run:
            pieces.append("<br>".join(run))
            run.clear()

    while i < len(lines):
        text = lines[i]
        if _QUOTE.match(text):
            flush()
            quoted: list[str] = []
            while i < len(lines) and _QUOTE.match(lines[i]):
                quoted.append(line.convert(_QUOTE.sub("", lines[i], count=1)))
                i += 1
            pieces.append("<blockquote>" + "<br>".join(quoted) + "</blockquote>")
            continue
        for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
            if pattern.match(text):
                flush()
                items: list[str] = []
                while i < len(lines) and pattern.match(lines[i]):
                    items.append(
                        "<li>" + line.convert(pattern.sub("", lines[i], count=1)) + "</li>"
                    )
                    i += 1
                pieces.append(f"<{tag}>" + "".join(items) + f"</{tag}>")
                break
        else:
            run.append(line.convert(text))
            i += 1
    flush()
    return pieces


def to_html(text: str | None, mention: MentionResolver | None = None) -> str:
    """Convert one Slack message's `text` to HTML (unsanitised; see `convert`)."""
    if not text:
        return ""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    tokens: list[_Token] = []
    line = _Line(tokens)

    def token(m: re.Match[str]) -> str:
        tokens.append(_token(m.group(1), mention))
        return f"\x00{len(tokens) - 1}\x00"

    text = _TOKEN.sub(token, text)
    pieces: list[str] = []
    segments = text.split("```")
    if len(segments) % 2 == 0:  # an unmatched fence stays literal text
        segments[-2:] = [segments[-2] + "```" + segments[-1]]
    for index, segment in enumerate(segments):
        if index % 2:
            body = segment.strip("\n")
            pieces.append("<pre>" + line._plain(body) + "</pre>")
        elif segment.strip("\n"):
            pieces.extend(_blocks(segment.strip("\n").split("\n"), line))
    return "".join(_join(pieces))


def _join(pieces: list[str]) -> list[str]:
    """Adjacent inline runs are separated by `<br>`; block elements need no separator."""
    out: list[str] = []
    for piece in pieces:
        if out and not _is_block(out[-1]) and not _is_block(piece):
            out.append("<br>")
        out.append(piece)
    return out


def _is_block(piece: str) -> bool:
    return piece.startswith(("<pre>", "<blockquote>", "<ul>", "<ol>"))


def convert(text: str | None, mention: MentionResolver | None = None) -> str:
    """Slack mrkdwn → HTML passed through the site's WEB-57 sanitiser; what the queue stores."""
    from leaderboard.site.markdown import sanitize_html

    return sanitize_html(to_html(text, mention)).strip()


__all__ = ["LINK_SCHEMES", "MentionResolver", "convert", "to_html"]
