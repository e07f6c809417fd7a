"""Where the documentation pages come from and what they are (WEB-50).

`load_docs(...)` picks the source (`site.docs`: auto | data | package | none), reads every
`*.md` file with its optional front matter and the optional `meta.json`, and returns plain
`DocPage` records with their URL paths and sidebar order. Rendering lives in `pages/docs.py`.

The package documentation is the repository's `docs/` folder. A wheel carries a copy at
`leaderboard/docs/` (copied by `setup.py` at build time); a source checkout or editable install
reads the repository folder directly, so there is exactly one canonical copy to edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leaderboard.errors import InvalidInputError
from leaderboard.site.markdown import RenderedMarkdown, render_markdown_document

DOCS_MODES = ("auto", "data", "package", "none")
DEFAULT_SIDEBAR_TITLE = "Documentation"


def package_docs_dir() -> Path | None:
    """The packaged user documentation: `leaderboard/docs/` in a wheel, else the checkout's `docs/`."""
    package = Path(__file__).resolve().parents[1]  # …/leaderboard
    for candidate in (package / "docs", package.parents[1] / "docs"):
        if candidate.is_dir() and any(candidate.glob("*.md")):
            return candidate
    return None


def _markdown_files(root: Path) -> list[Path]:
    """Regular `*.md` files below `root` (symlinks and hidden directories ignored), sorted."""
    found = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root)
        if path.is_symlink() or not path.is_file():
            continue
        if any(part.startswith(".") for part in rel.parts):
            continue
        if any(p.is_symlink() for p in path.parents if root in p.parents):
            continue
        found.append(path)
    return found


def docs_root(mode: str, data_dir: Path) -> Path | None:
    """The source directory for `site.docs` = `mode`, or None when there are no docs pages."""
    if mode not in DOCS_MODES:
        raise InvalidInputError(
            f"leaderboard.site.docs: '{mode}' is not one of {', '.join(DOCS_MODES)}"
        )
    if mode == "none":
        return None
    data_docs = data_dir / "docs"
    has_data = (
        data_docs.is_dir() and not data_docs.is_symlink() and bool(_markdown_files(data_docs))
    )
    if mode == "data" or (mode == "auto" and has_data):
        return data_docs if has_data else None
    return package_docs_dir()


@dataclass
class DocPage:
    """One Markdown file of the docs source."""

    source: Path
    key: str  # path without `.md`, `/`-separated, e.g. "guide/index"
    rel: str  # output directory relative to the base path, e.g. "docs/guide/"
    title: str
    description: str
    rendered: RenderedMarkdown
    starts_with_h1: bool


@dataclass
class DocsSet:
    root: Path
    pages: list[DocPage]  # by key
    sidebar: list[DocPage]  # in sidebar order
    sidebar_title: str = DEFAULT_SIDEBAR_TITLE
    warnings: list[str] = field(default_factory=list)

    def by_key(self) -> dict[str, DocPage]:
        return {p.key: p for p in self.pages}

    @property
    def has_index(self) -> bool:
        return any(p.rel == "docs/" for p in self.pages)


def page_rel(key: str) -> str:
    """`guide/setup` → `docs/guide/setup/`; `index` → `docs/`; `guide/index` → `docs/guide/`."""
    parts = key.split("/")
    if parts[-1] == "index":
        parts = parts[:-1]
    return "docs/" + "".join(p + "/" for p in parts)


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """(front matter mapping, body). Front matter is optional; invalid YAML fails the build."""
    from leaderboard.yaml12 import YamlError, load

    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            try:
                value = load("\n".join(lines[1:i]) + "\n").value
            except YamlError as exc:
                line = (exc.line or 0) + 1
                raise InvalidInputError(
                    f"{where}:{line}: {exc.message}; fix the front matter between the '---' lines"
                ) from None
            if value is None:
                value = {}
            if not isinstance(value, dict):
                raise InvalidInputError(
                    f"{where}:2: front matter must be a mapping like 'title: My page'"
                )
            return value, "\n".join(lines[i + 1 :])
    raise InvalidInputError(f"{where}:1: front matter is not closed; add a line '---' after it")


def _text_field(meta: dict[str, Any], key: str, where: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidInputError(f"{where}: front matter '{key}' must be text")
    return str(value).strip()


def read_page(root: Path, path: Path, where_root: str) -> DocPage:
    key = path.relative_to(root).with_suffix("").as_posix()
    where = f"{where_root}/{path.relative_to(root).as_posix()}"
    try:
        text = path.read_text("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{where}: not UTF-8 text; save the file as UTF-8") from None
    meta, body = split_front_matter(text, where)
    rendered = render_markdown_document(body, anchors=True)
    first_h1 = next((h.text for h in rendered.headings if h.level == 1), None)
    title = _text_field(meta, "title", where) or first_h1 or path.stem
    return DocPage(
        source=path,
        key=key,
        rel=page_rel(key),
        title=title,
        description=_text_field(meta, "description", where) or "",
        rendered=rendered,
        starts_with_h1=rendered.title is not None,
    )


def read_meta(root: Path, where_root: str) -> tuple[str | None, list[str] | None]:
    """`meta.json` → (title, pages), both None when absent."""
    path = root / "meta.json"
    if not path.is_file():
        return None, None
    where = f"{where_root}/meta.json"
    from leaderboard.jsonfmt import loads

    try:
        data = loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{where}: invalid JSON ({exc}); fix the syntax") from None
    hint = 'expected {"title": "…", "pages": ["index", "guide/setup", …]}'
    if not isinstance(data, dict):
        raise InvalidInputError(f"{where}: {hint}")
    title = data.get("title")
    pages = data.get("pages")
    if title is not None and not isinstance(title, str):
        raise InvalidInputError(f"{where}: 'title' must be a string; {hint}")
    if pages is not None and (
        not isinstance(pages, list) or not all(isinstance(p, str) for p in pages)
    ):
        raise InvalidInputError(f"{where}: 'pages' must be a list of page paths; {hint}")
    return title, [p.strip().strip("/").removesuffix(".md") for p in pages or []]


def load_docs(mode: str, data_dir: Path) -> DocsSet | None:
    """Every docs page of the configured source, or None when docs are off or there is none."""
    root = docs_root(mode, data_dir)
    if root is None:
        return None
    files = _markdown_files(root)
    if not files:
        return None
    where_root = "docs" if root == data_dir / "docs" else "docs (package)"
    pages = sorted((read_page(root, p, where_root) for p in files), key=lambda p: p.key)
    title, order = read_meta(root, where_root)
    docs = DocsSet(root, pages, [], title or DEFAULT_SIDEBAR_TITLE)
    keys = docs.by_key()
    if order is not None:
        seen: set[str] = set()
        for key in order:
            if key in keys and key not in seen:
                docs.sidebar.append(keys[key])
                seen.add(key)
            elif key not in keys:
                docs.warnings.append(
                    f"{where_root}/meta.json: page '{key}' does not exist (no {key}.md); "
                    "remove it from 'pages' or add the file"
                )
    else:
        docs.sidebar = sorted(pages, key=lambda p: (p.key != "index", p.title.lower(), p.key))
    return docs
