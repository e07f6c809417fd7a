"""WEB-57: Markdown rendering and HTML sanitising — an XSS corpus is neutralised, content survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from leaderboard.site import markdown as md

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
    '<a href="vbscript:msgbox(1)">v</a>',
    "[md link](javascript:alert(1))",
    "[md data](data:text/html,<script>alert(1)</script>)",
    "![img](javascript:alert(1))",
    "<svg onload=alert(1)><circle r=5 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src=x.swf>',
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
    '<p onmouseover="alert(1)">hover</p>',
    "<details open ontoggle=alert(1)><summary>s</summary></details>",
    '<form action="https://evil.example"><input name=x><button>go</button></form>',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<!-- <script>alert(1)</script> -->",
    '<code class="language-python onmouseover" onclick="x">c</code>',
    '<a href="https://ok.example" target="_blank" onclick="alert(1)">t</a>',
    '<img src="x" srcset="javascript:alert(1)">',
    "<textarea><script>alert(1)</script></textarea>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]


class _Audit(HTMLParser):
    """Collects every tag and attribute of sanitised output (text content is harmless)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in md.ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        allowed = md.ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel", "loading"}
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {tag}[{name}]")
            if name in ("href", "src") and value is not None:
                scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
                if scheme and scheme.group(1).lower() not in md.URL_SCHEMES:
                    self.problems.append(f"url {value}")


def _problems(out: str) -> list[str]:
    audit = _Audit()
    audit.feed(out)
    audit.close()
    return audit.problems


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_web_57_xss_corpus_neutralised_in_markdown(payload: str) -> None:
    out = str(md.render_bio(payload))
    assert _problems(out) == [], out
    assert "alert(1)</script>" not in out or "&lt;" in out


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_web_57_xss_corpus_neutralised_in_activity_html(payload: str) -> None:
    out = str(md.sanitize_activity_text(payload))
    assert _problems(out) == [], out
    assert "alert(1)</script>" not in out or "&lt;" in out


def test_web_57_content_survives() -> None:
    text = (
        "Hello *world* and **bold** and ~~gone~~.\n\n"
        "- one\n- two\n\n1. first\n\n"
        "[site](https://example.org/path?a=1&b=2) and <mailto:me@example.org> and www.example.com\n\n"
        "`inline`\n\n```python\nprint('<hi>')\n```\n\n"
        "| a | b |\n|:-|-:|\n| 1 | 2 |\n\n"
        "- [ ] todo\n- [x] done\n\n"
        '> quoted\n\n![logo](/assets/logo.png "Logo")\n\n'
        "<details><summary>More</summary>inside <kbd>Ctrl</kbd></details>\n"
    )
    out = str(md.render_markdown(text))
    assert "<em>world</em>" in out and "<strong>bold</strong>" in out
    assert "<s>gone</s>" in out
    assert "<ul>" in out and "<ol>" in out and "<li>one</li>" in out
    assert (
        '<a href="https://example.org/path?a=1&amp;b=2" rel="nofollow ugc noopener">site</a>' in out
    )
    assert 'href="mailto:me@example.org"' in out
    assert 'href="http://www.example.com"' in out
    assert "<code>inline</code>" in out
    assert "<pre><code class=\"language-python\">print('&lt;hi&gt;')" in out
    assert '<th align="left">a</th>' in out or "<th style" not in out
    assert "<table>" in out and "<td" in out
    assert "☐ todo" in out and "☑ done" in out
    assert "<blockquote>" in out
    assert '<img src="/assets/logo.png" alt="logo" title="Logo" loading="lazy">' in out
    assert "<details><summary>More</summary>" in out and "<kbd>Ctrl</kbd>" in out


def test_web_57_code_class_keeps_only_language_tokens() -> None:
    out = str(
        md.sanitize_activity_text('<code class="language-js evil">x</code><code class="x">y</code>')
    )
    assert out == '<code class="language-js">x</code><code>y</code>'


def test_web_57_headings_demoted_by_two_in_bios_and_activity_text() -> None:
    assert str(md.render_bio("# A\n\n## B\n\n##### E\n\n###### F")) == (
        "<h3>A</h3>\n<h4>B</h4>\n<h6>E</h6>\n<h6>F</h6>"
    )
    assert (
        str(md.sanitize_activity_text("<h1>T</h1><h2 onclick=x>U</h2>")) == "<h3>T</h3><h4>U</h4>"
    )


def test_web_50_docs_heading_anchors_title_and_toc() -> None:
    doc = md.render_markdown_document(
        "# Guide\n\n## Set up\n\ntext\n\n### Set up\n\n## <b>API</b> & more\n", anchors=True
    )
    assert doc.title == "Guide"
    assert [(h.level, h.id, h.text) for h in doc.toc()] == [
        (2, "set-up", "Set up"),
        (3, "set-up-1", "Set up"),
        (2, "api--more", "API & more"),
    ]
    assert '<h2 id="set-up">Set up</h2>' in str(doc.html)
    assert md.render_markdown_document("intro\n\n# Later").title is None


def test_web_57_plain_text() -> None:
    assert md.plain_text("<p>Fish &amp; chips</p>\n\n<script>alert(1)</script><b>now</b>  ok") == (
        "Fish & chips now ok"
    )
    assert md.plain_text(None) == ""
    assert md.markdown_plain_text("# Hi\n\nI *write* [code](https://x.org).") == "Hi I write code."


def test_web_57_empty_inputs() -> None:
    assert str(md.render_bio(None)) == ""
    assert str(md.render_bio("")) == ""
    assert str(md.sanitize_activity_text(None)) == ""
