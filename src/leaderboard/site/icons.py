"""Lucide icons as SVG (WEB-08): drawn by the templates, then referenced from the site's sprite
file `static/icons.svg` or a page's own symbols (`use_sprite`, WEB-63).

Icon bodies come from the python-lucide package's SQLite database at build time (no network).
Names coming from data are normalised (`git_merge`, `GitMerge` → `git-merge`) and resolved
through Lucide's alias table (deprecated aliases included). An unknown data name falls back to
a fixed icon and is reported once per name through the `Icons` instance's warning callback, so
a typo in `config.yaml` never breaks the build but is still visible.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

ACTIVITY_FALLBACK = "star"
SOCIAL_FALLBACK = "link"

# Brand icons that Lucide 1.0 removed but upstream data still names (`social_profiles`, org
# socials); bodies are the last Lucide 0.x versions (ISC licence). Real Lucide names win.
_LEGACY_BODIES = {
    "github": '<path d="M15 22v-4a4.8 4.8 0 0 0-1-3.5c3 0 6-2 6-5.5.08-1.25-.27-2.48-1-3.5.28-1.15'
    ".28-2.35 0-3.5 0 0-1 0-3 1.5-2.64-.5-5.36-.5-8 0C6 2 5 2 5 2c-.3 1.15-.3 2.35 0 3.5A5.403 "
    '5.403 0 0 0 4 9c0 3.5 3 5.5 6 5.5-.39.49-.68 1.05-.85 1.65-.17.6-.22 1.23-.15 1.85v4" />'
    '<path d="M9 18c-4.51 2-5-2-5-2" />',
    "linkedin": '<path d="M16 8a6 6 0 0 1 6 6v7h-4v-7a2 2 0 0 0-2-2 2 2 0 0 0-2 2v7h-4v-7a6 6 0 0 1 '
    '6-6z" /><rect width="4" height="12" x="2" y="9" /><circle cx="4" cy="4" r="2" />',
    "youtube": '<path d="M2.5 17a24.12 24.12 0 0 1 0-10 2 2 0 0 1 1.4-1.4 49.56 49.56 0 0 1 16.2 0A2 '
    "2 0 0 1 21.5 7a24.12 24.12 0 0 1 0 10 2 2 0 0 1-1.4 1.4 49.55 49.55 0 0 1-16.2 0A2 2 0 0 1 "
    '2.5 17" /><path d="m10 15 5-3-5-3z" />',
    "twitter": '<path d="M22 4s-.7 2.1-2 3.4c1.6 10-9.4 17.3-18 11.6 2.2.1 4.4-.6 6-2C3 15.5.5 9.6 '
    '3 5c2.2 2.6 5.6 4.1 9 4-.9-4.2 4-6.6 7-3.8 1.1 0 3-1.2 3-1.2z" />',
    "slack": '<rect width="3" height="8" x="13" y="2" rx="1.5" /><path d="M19 8.5V10h1.5A1.5 1.5 0 1 '
    '0 19 8.5" /><rect width="3" height="8" x="8" y="14" rx="1.5" /><path d="M5 15.5V14H3.5A1.5 '
    '1.5 0 1 0 5 15.5" /><rect width="8" height="3" x="14" y="13" rx="1.5" /><path d="M15.5 '
    '19H14v1.5a1.5 1.5 0 1 0 1.5-1.5" /><rect width="8" height="3" x="2" y="8" rx="1.5" /><path '
    'd="M8.5 5H10V3.5A1.5 1.5 0 1 0 8.5 5" />',
    "facebook": '<path d="M18 2h-3a5 5 0 0 0-5 5v3H7v4h3v8h4v-8h3l1-4h-4V7a1 1 0 0 1 1-1h3z" />',
    "instagram": '<rect width="20" height="20" x="2" y="2" rx="5" ry="5" /><path d="M16 11.37A4 4 0 '
    '1 1 12.63 8 4 4 0 0 1 16 11.37z" /><line x1="17.5" x2="17.51" y1="6.5" y2="6.5" />',
}
# Common social keys that are not icon names.
_EXTRA_ALIASES = {"email": "mail", "website": "globe", "web": "globe", "homepage": "globe"}

_SVG_ATTRS = (
    'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
)
_CHILDREN = re.compile(r"<svg\b[^>]*>(.*)</svg>", re.S)
_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_LETTER_DIGIT = re.compile(r"([a-zA-Z])(\d)")


def normalize_icon_name(name: str) -> str:
    """kebab-case, lower-case: `GitMerge`, `git_merge`, ` Git Merge ` → `git-merge`;
    `Building2` → `building-2` (Lucide separates digits)."""
    text = name.strip()
    text = _CAMEL_2.sub(r"\1-\2", text)
    text = _CAMEL_1.sub(r"\1-\2", text)
    text = _LETTER_DIGIT.sub(r"\1-\2", text)
    text = re.sub(r"[\s_]+", "-", text).lower()
    return re.sub(r"-{2,}", "-", text).strip("-")


def _database_path() -> Path:
    import lucide

    path = lucide.get_default_db_path()
    if path is None or not Path(path).exists():
        raise RuntimeError("The python-lucide icon database is missing; reinstall python-lucide")
    return Path(path)


@lru_cache(maxsize=1)
def _icon_table() -> tuple[dict[str, str], dict[str, str]]:
    """All icon bodies (inner SVG markup, compacted) and the alias → name map."""
    uri = _database_path().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        bodies: dict[str, str] = {}
        for name, svg in conn.execute("SELECT name, svg FROM icons ORDER BY name"):
            match = _CHILDREN.search(svg)
            inner = match.group(1) if match else ""
            bodies[name] = "".join(line.strip() for line in inner.splitlines())
        aliases = dict(conn.execute("SELECT alias, name FROM icon_aliases ORDER BY alias"))
    for name, body in _LEGACY_BODIES.items():
        bodies.setdefault(name, body)
    for alias, name in _EXTRA_ALIASES.items():
        if alias not in bodies and name in bodies:
            aliases.setdefault(alias, name)
    return bodies, aliases


@lru_cache(maxsize=4096)
def resolve_icon_name(name: str) -> str | None:
    """The canonical Lucide name for a data name or alias, or None when unknown."""
    bodies, aliases = _icon_table()
    candidates = [name, normalize_icon_name(name)]
    # `ArrowUp10` may mean the alias `arrow-up-10`; try without digit splitting too.
    candidates.append(re.sub(r"-(\d)", r"\1", candidates[1]))
    for candidate in candidates:
        if candidate in bodies:
            return candidate
        if candidate in aliases:
            return aliases[candidate]
    return None


def icon_names() -> list[str]:
    """Every canonical icon name, sorted."""
    return sorted(_icon_table()[0])


@lru_cache(maxsize=4096)  # pure, and pages draw the same few icons hundreds of thousands of times
def render_icon(name: str, *, size: int = 16, cls: str = "", label: str | None = None) -> Markup:
    """An inline SVG for a canonical (or alias) Lucide name known at development time.

    Raises KeyError for unknown names: templates use fixed names, and a typo there is a bug.
    `label` makes the icon meaningful (`role="img"` and `aria-label`); by default it is
    decorative (`aria-hidden="true"`).
    """
    resolved = resolve_icon_name(name)
    if resolved is None:
        raise KeyError(f"unknown Lucide icon '{name}'")
    body = _icon_table()[0][resolved]
    classes = " ".join(["icon", *cls.split()])
    a11y = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true"'
    return Markup(
        f'<svg {_SVG_ATTRS} class="{escape(classes)}" width="{size}" height="{size}" '
        f'{a11y} focusable="false" data-icon="{resolved}">{body}</svg>'
    )


class Icons:
    """Icon lookup for one build: data names with fallbacks and one warning per unknown name."""

    def __init__(self, warn: Callable[[str], None] | None = None) -> None:
        self._warn = warn
        self._warned: set[tuple[str, str]] = set()
        self.unknown: list[str] = []  # unknown data names in first-seen order, for reports

    def name_for(self, name: str | None, fallback: str, context: str = "icon") -> str:
        """Resolve a data name; unknown or empty → `fallback` (warned once per name)."""
        if name:
            resolved = resolve_icon_name(name)
            if resolved is not None:
                return resolved
            key = (name, fallback)
            if key not in self._warned:
                self._warned.add(key)
                self.unknown.append(name)
                if self._warn is not None:
                    self._warn(
                        f"Unknown {context} '{name}'; using '{fallback}' instead "
                        "(see https://lucide.dev/icons for valid names)"
                    )
        return fallback

    def activity(self, name: str | None, *, size: int = 16, cls: str = "") -> Markup:
        """The icon of an activity definition (fallback `star`)."""
        return render_icon(
            self.name_for(name, ACTIVITY_FALLBACK, "activity icon"), size=size, cls=cls
        )

    def social(self, name: str | None, *, size: int = 16, cls: str = "") -> Markup:
        """The icon of a social profile or org social link (fallback `link`)."""
        return render_icon(self.name_for(name, SOCIAL_FALLBACK, "social icon"), size=size, cls=cls)

    def __call__(
        self, name: str, *, size: int = 16, cls: str = "", label: str | None = None
    ) -> Markup:
        """Template shorthand for a fixed icon: `{{ icon("trophy", size=20) }}`."""
        return render_icon(name, size=size, cls=cls, label=label)


_INLINE_ICON = re.compile(
    r"<svg " + re.escape(_SVG_ATTRS) + r' class="([^"]*)" width="(\d+)" height="(\d+)" '
    r'(aria-hidden="true"|role="img" aria-label="[^"]*") focusable="false" '
    r'data-icon="([\w-]+)">(.*?)</svg>',
    re.S,
)


# What every page's stylesheet gives `svg.icon` (static/site.css): the presentation attributes of
# a Lucide icon, inherited by a `<use>`'s copy of a symbol, so neither the symbols nor the icons
# drawn once need them on the page
ICON_CSS_ATTRS = (
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round"'
)


# Icons that templates and page code draw by fixed name (WEB-08). With the data's icons (activity
# definitions, social links) they make the site's external sprite; a name missing here still
# renders, as a symbol of the page itself, and `test_every_icon_of_the_site_is_in_its_sprite`
# catches the omission on the golden site.
TEMPLATE_ICONS = (
    "activity", "arrow-down-right", "arrow-up", "arrow-up-right", "award", "calendar", "check",
    "chevron-down", "chevron-up", "database", "external-link", "funnel", "github", "house", "info",
    "layers", "layout-grid", "link", "list", "lock", "medal", "monitor", "moon", "pencil",
    "search", "star", "sun", "trophy", "user-check", "user-plus", "users",
)  # fmt: skip
SPRITE_FILE = "static/icons.svg"


@dataclass(frozen=True)
class Sprite:
    """The site's icon sprite: one cacheable file holding every icon its pages can draw
    (`static/icons.svg`, referenced as `<use href="<url>#i-<name>">`), so the chrome every page
    repeats (navigation, theme menu, stat cards, footer) costs a reference, not a drawing."""

    url: str  # versioned, with the base path: `/static/icons.svg?v=<8 hex of its sha256>`
    names: frozenset[str]


def sprite_svg(names: Iterable[str]) -> bytes:
    """The sprite file: one `<symbol>` per icon, sorted, without presentation attributes (the
    page's `svg.icon` rule gives them, and a `<use>`'s copy inherits them)."""
    bodies = _icon_table()[0]
    symbols = "".join(
        f'<symbol id="i-{n}" viewBox="0 0 24 24">{bodies[n]}</symbol>' for n in sorted(set(names))
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg">{symbols}</svg>\n'.encode()


def site_icon_names(data_names: Iterable[str | None]) -> frozenset[str]:
    """`TEMPLATE_ICONS` plus the data's icon names that resolve (unknown ones fall back to
    `star` or `link`, both template icons); resolving here warns nothing, pages do."""
    names = set(TEMPLATE_ICONS)
    for name in data_names:
        resolved = resolve_icon_name(name) if name else None
        if resolved is not None:
            names.add(resolved)
    return frozenset(names)


def use_sprite(html: str, sprite: Sprite | None = None) -> str:
    """Icons become references (WEB-63): to the site's sprite file when `sprite` holds the
    icon, else to one `<symbol>` of the page for an icon drawn more than once (a profile
    repeats the same few icons on every timeline item), else the icon stays inline. An icon
    the page repeats so often that its references to the file would outweigh a copy of its
    drawing gets the page's own symbol instead (cheaper by the bytes, the same pixels). Every
    form leaves out the attributes the stylesheet sets on `svg.icon` (`ICON_CSS_ATTRS`) and the
    `xmlns` an HTML parser does not need: the same bytes on every symbol and icon of every
    page."""
    matches = list(_INLINE_ICON.finditer(html))  # one scan; the output is cut from it
    if not matches or "</body>" not in html:
        return html
    counts: dict[str, int] = {}
    bodies: dict[str, str] = {}
    for m in matches:
        counts[m.group(5)] = counts.get(m.group(5), 0) + 1
        bodies[m.group(5)] = m.group(6)
    external: set[str] = set()
    if sprite is not None:
        for name, n in counts.items():
            local = len(bodies[name]) + 45 + len(name)  # its symbol (or inline drawing)
            if name in sprite.names and n * len(sprite.url) < local:
                external.add(name)
    shared = {name for name, n in counts.items() if n > 1 and name not in external}
    parts: list[str] = []
    done = 0
    for m in matches:
        cls, w, h, a11y, name, body = m.groups()
        parts.append(html[done : m.start()])
        if name in external or name in shared:
            href = (
                f"{sprite.url}#i-{name}"
                if sprite is not None and name in external
                else f"#i-{name}"
            )
            parts.append(
                f'<svg class="{cls}" width="{w}" height="{h}" {a11y}><use href="{href}"/></svg>'
            )
        else:
            parts.append(
                f'<svg viewBox="0 0 24 24" class="{cls}" width="{w}" height="{h}" {a11y} '
                f'focusable="false" data-icon="{name}">{body}</svg>'
            )
        done = m.end()
    parts.append(html[done:])
    out = "".join(parts)
    if not shared:
        return out
    symbols = "".join(
        f'<symbol id="i-{name}" viewBox="0 0 24 24">{bodies[name]}</symbol>'
        for name in sorted(shared)
    )
    holder = (
        '<svg width="0" height="0" style="position:absolute" aria-hidden="true" '
        f'focusable="false">{symbols}</svg>'
    )
    at = out.rindex("</body>")
    return out[:at] + holder + "\n" + out[at:]
