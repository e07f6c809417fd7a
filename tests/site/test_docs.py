"""Documentation pages (WEB-50): sources, front matter, sidebar order, links, packaging."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from leaderboard.errors import InvalidInputError
from leaderboard.site import BuildOptions, build_site
from leaderboard.site.docsource import load_docs, package_docs_dir, page_rel

REPO = Path(__file__).resolve().parents[2]


def _site(options: BuildOptions, docs: str) -> BuildOptions:
    cfg = options.config
    site = dataclasses.replace(cfg.leaderboard.site, docs=docs)
    lb = dataclasses.replace(cfg.leaderboard, site=site)
    return dataclasses.replace(
        options, config=dataclasses.replace(cfg, leaderboard=lb), og=False, explorer=False
    )


def _write_docs(data: Path) -> None:
    docs = data / "docs"
    (docs / "guide").mkdir(parents=True)
    (docs / "index.md").write_text("---\ntitle: Welcome\ndescription: Start here.\n---\n\nHello.\n")
    (docs / "guide" / "setup.md").write_text(
        "# Setting up\n\nSee [the FAQ](../faq.md#money) and [home](../index.md).\n\n"
        "## Install\n\nText.\n\n### Details\n\nMore.\n\n"
        "```mermaid\ngraph TD; A-->B\n```\n\n<script>window.__xss=1</script>\n"
        '<a href="javascript:alert(1)">x</a>\n'
    )
    (docs / "faq.md").write_text("---\ndescription: Questions.\n---\n\n## Money\n\nNone.\n")
    (docs / "unlisted.md").write_text("# Secret page\n")
    (docs / "meta.json").write_text(
        json.dumps({"title": "Handbook", "pages": ["index", "faq", "guide/setup", "missing"]})
    )


def test_web_50_page_paths() -> None:
    assert page_rel("index") == "docs/"
    assert page_rel("guide/index") == "docs/guide/"
    assert page_rel("guide/setup") == "docs/guide/setup/"


def test_web_50_data_docs_pages(site_inputs: BuildOptions) -> None:
    _write_docs(site_inputs.data_dir)
    options = _site(site_inputs, "auto")
    result = build_site(options)
    out = options.out
    setup = (out / "docs/guide/setup/index.html").read_text()
    # title from the first heading, not repeated; TOC of h2/h3 with anchors
    assert "<title>Setting up - Example Org Leaderboard</title>" in setup
    assert setup.count("<h1") == 1 and '<h1 id="setting-up">Setting up</h1>' in setup
    assert 'href="#install"' in setup and 'href="#details"' in setup and 'id="install"' in setup
    # relative .md links point at the pages (base path included)
    assert 'href="/board/docs/faq/#money"' in setup and 'href="/board/docs/"' in setup
    # mermaid stays a code block; raw HTML is sanitised
    assert '<code class="language-mermaid">' in setup
    assert "window.__xss" not in setup and "javascript:" not in setup
    # front matter title/description; a title is printed when the body has no h1
    index = (out / "docs/index.html").read_text()
    assert "<title>Welcome - Example Org Leaderboard</title>" in index
    assert '<meta name="description" content="Start here.">' in index
    assert "<h1>Welcome</h1>" in index
    faq = (out / "docs/faq/index.html").read_text()
    assert "<title>faq - Example Org Leaderboard</title>" in faq  # file stem
    # sidebar: meta.json order and title; unlisted pages built but not in the sidebar
    nav = index[index.index('class="docs-nav"') : index.index("</nav>", index.index("docs-nav"))]
    assert "Handbook" in nav
    assert nav.index("Welcome") < nav.index("faq") < nav.index("Setting up")
    assert "Secret page" not in nav
    assert (out / "docs/unlisted/index.html").is_file()
    assert any("page 'missing' does not exist" in w for w in result.warnings)
    # footer link and sitemap entries
    home = (out / "index.html").read_text()
    assert 'href="/board/docs/">Docs</a>' in home
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://example.github.io/board/docs/guide/setup/" in sitemap
    assert sitemap.index("/board/docs/") > sitemap.index("/board/badges/")


def test_web_50_package_docs_by_default(site_inputs: BuildOptions) -> None:
    options = _site(site_inputs, "auto")  # no data docs → the packaged documentation
    build_site(options)
    out = options.out
    page = (out / "docs/site/index.html").read_text()
    assert "<title>The static site - Example Org Leaderboard</title>" in page
    # no index.md in the package docs: a generated index lists every page
    index = (out / "docs/index.html").read_text()
    assert 'href="/board/docs/site/">The static site</a>' in index
    assert "{% raw %}" not in page


def test_web_50_modes(site_inputs: BuildOptions, tmp_path: Path) -> None:
    _write_docs(site_inputs.data_dir)
    data = site_inputs.data_dir
    assert load_docs("none", data) is None
    package = load_docs("package", data)
    assert package is not None and package.root == package_docs_dir()
    forced = load_docs("data", data)
    assert forced is not None and forced.root == data / "docs"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_docs("data", empty) is None  # data forced but absent → no docs
    with pytest.raises(InvalidInputError, match=r"site\.docs"):
        load_docs("sometimes", data)


def test_web_50_none_means_no_pages_or_links(site_inputs: BuildOptions) -> None:
    options = _site(site_inputs, "none")
    build_site(options)
    out = options.out
    assert not (out / "docs").exists()
    assert 'href="/board/docs/"' not in (out / "index.html").read_text()
    assert "/board/docs/<" not in (out / "sitemap.xml").read_text()


def test_web_50_without_meta_json_index_first_then_title(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "b.md").write_text("# Alpha\n")
    (docs / "a.md").write_text("# Zulu\n")
    (docs / "index.md").write_text("# Start\n")
    loaded = load_docs("data", tmp_path)
    assert loaded is not None
    assert [p.title for p in loaded.sidebar] == ["Start", "Alpha", "Zulu"]


def test_web_50_bad_front_matter_names_file_and_line(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "broken.md").write_text("---\ntitle: ok\ndescription: [unclosed\n---\nBody\n")
    with pytest.raises(InvalidInputError, match=r"docs/broken\.md:\d+: invalid YAML"):
        load_docs("data", tmp_path)
    (docs / "broken.md").write_text("---\n- a list\n---\nBody\n")
    with pytest.raises(InvalidInputError, match=r"docs/broken\.md:2: front matter must be"):
        load_docs("data", tmp_path)
    (docs / "broken.md").write_text("# fine\n")
    (docs / "meta.json").write_text('{"pages": "index"}')
    with pytest.raises(InvalidInputError, match=r"docs/meta\.json: 'pages' must be a list"):
        load_docs("data", tmp_path)


def test_web_50_symlinked_docs_are_ignored(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "real.md").write_text("# Real\n")
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n")
    (docs / "link.md").symlink_to(secret)
    loaded = load_docs("data", tmp_path)
    assert loaded is not None and [p.key for p in loaded.pages] == ["real"]


def test_web_50_docs_are_packaged_into_the_wheel(tmp_path: Path) -> None:
    """`setup.py build_py` copies the repository docs into `leaderboard/docs/`."""
    target = tmp_path / "lib"
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(target)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    packaged = target / "leaderboard" / "docs"
    repo_docs = sorted(p.name for p in (REPO / "docs").glob("*.md"))
    assert sorted(p.name for p in packaged.glob("*.md")) == repo_docs
    assert (packaged / "site.md").read_bytes() == (REPO / "docs" / "site.md").read_bytes()
