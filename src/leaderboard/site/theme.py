"""Organisation themes and brand images, made safe to serve from the site itself (WEB-07).

Upstream themes are Tailwind v4 files. Browsers ignore `@theme { … }`, so a theme whose `:root`
and `.dark` blocks say `--primary: var(--color-sage-600)` left every colour empty: invisible
buttons, borderless cards, no focus ring. `translate` rewrites `@theme` as the `:root` block
Tailwind would emit, unwraps `@layer` (layered rules lose to the built-in unlayered ones, which
would silently ignore the theme) and drops the Tailwind-only at-rules with one warning each.

`fetch_remote` downloads the remote theme, the org logo, the favicon and `meta.image_url` at build
time into `/static/` (cached under `<cache dir>/remote/`, the cached copy used offline or when the
host fails), so no page loads anything from another host. `chart_overrides` keeps the donut and
breakdown readable when a theme's chart colours are all shades of one hue.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

Warn = Callable[[str], None]

DROPPED = frozenset(
    {"import", "plugin", "source", "utility", "custom-variant", "variant", "config",
     "reference", "tailwind"}
)  # fmt: skip
UNWRAPPED = frozenset({"layer"})


@dataclass
class Translated:
    css: str
    warnings: list[str] = field(default_factory=list)


def _skip_string(css: str, i: int) -> int:
    quote = css[i]
    i += 1
    while i < len(css) and css[i] != quote:
        i += 2 if css[i] == "\\" else 1
    return i + 1


def _skip_comment(css: str, i: int) -> int:
    end = css.find("*/", i + 2)
    return len(css) if end < 0 else end + 2


def _statement_end(css: str, i: int) -> tuple[int, str]:
    """From `i`, the index of the first top-level `{`, `;` or `}` and that character."""
    depth = 0
    while i < len(css):
        c = css[i]
        if c in "\"'":
            i = _skip_string(css, i)
            continue
        if css.startswith("/*", i):
            i = _skip_comment(css, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and c in "{;}":
            return i, c
        i += 1
    return len(css), ""


def _block_end(css: str, i: int) -> int:
    """`i` is just after a `{`: the index of its matching `}` (or the end of the text)."""
    depth = 1
    while i < len(css):
        c = css[i]
        if c in "\"'":
            i = _skip_string(css, i)
            continue
        if css.startswith("/*", i):
            i = _skip_comment(css, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(css)


def _line(css: str, i: int) -> int:
    return css.count("\n", 0, i) + 1


_APPLY = re.compile(r"@apply\b[^;{}]*;?")


def translate(css: str, source: str, *, _offset: int = 0, _all: str | None = None) -> Translated:
    """A Tailwind v4 theme as plain CSS a browser applies (see the module docstring)."""
    text = _all if _all is not None else css
    out: list[str] = []
    warnings: list[str] = []
    i = 0
    while i < len(css):
        c = css[i]
        if c.isspace():
            out.append(c)
            i += 1
            continue
        if css.startswith("/*", i):
            end = _skip_comment(css, i)
            out.append(css[i:end])
            i = end
            continue
        end, kind = _statement_end(css, i)
        prelude = css[i:end]
        where = f"{source}:{_line(text, _offset + i)}"
        at = re.match(r"@([\w-]+)", prelude.strip())
        name = at.group(1).lower() if at else ""
        if kind != "{":  # a statement (or stray text up to `}`/end)
            if name in DROPPED:
                warnings.append(f"{where}: dropped Tailwind-only rule {prelude.strip()}")
            else:
                out.append(prelude + (";" if kind == ";" else ""))
            i = end + 1
            continue
        close = _block_end(css, end + 1)
        body = css[end + 1 : close]
        if name == "theme":
            inner = translate(body, source, _offset=_offset + end + 1, _all=text)
            warnings += inner.warnings
            out.append(":root {" + inner.css + "}")
        elif name in DROPPED:
            warnings.append(f"{where}: dropped Tailwind-only rule @{name}")
        elif name in UNWRAPPED or name in ("media", "supports", "container"):
            inner = translate(body, source, _offset=_offset + end + 1, _all=text)
            warnings += inner.warnings
            out.append(inner.css if name in UNWRAPPED else prelude + "{" + inner.css + "}")
        elif at:  # @keyframes, @font-face, @property … verbatim
            out.append(css[i : close + 1])
        else:  # a style rule: drop `@apply`, keep the rest (nested rules included)
            for m in _APPLY.finditer(body):
                line = _line(text, _offset + end + 1 + m.start())
                warnings.append(f"{source}:{line}: dropped Tailwind-only {m.group(0).strip()}")
            out.append(prelude + "{" + _APPLY.sub("", body) + "}")
        i = close + 1
    return Translated("".join(out), warnings)


# ---------------------------------------------------------------- remote files


MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 15.0
TYPES = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
    "image/svg+xml": ".svg", "image/x-icon": ".ico", "image/vnd.microsoft.icon": ".ico",
    "image/avif": ".avif", "text/css": ".css",
}  # fmt: skip


def is_remote(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme in ("http", "https")


def _suffix(url: str, content_type: str) -> str:
    ext = Path(urlsplit(url).path).suffix.lower()
    if ext in set(TYPES.values()) | {".jpeg", ".ico"}:
        return ext
    return TYPES.get(content_type.split(";")[0].strip().lower(), ".bin")


def _get(client: httpx.Client, url: str) -> tuple[bytes, str]:
    with client.stream("GET", url, follow_redirects=True, timeout=TIMEOUT) as response:
        if response.status_code != 200:
            raise OSError(f"HTTP {response.status_code}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BYTES:
                raise OSError("larger than 5 MiB")
            chunks.append(chunk)
        return b"".join(chunks), response.headers.get("content-type", "")


@dataclass(frozen=True)
class Fetched:
    data: bytes
    suffix: str  # `.png`, `.css` …


def fetch_remote(
    url: str,
    cache_dir: Path,
    *,
    client: httpx.Client | None,
    warn: Warn,
    what: str,
) -> Fetched | None:
    """The bytes of `url`: fetched (and cached) when a client is given, else the cached copy.

    A failed download falls back to the cached copy; with none, a warning names the URL and the
    caller keeps linking the remote URL (WEB-07)."""
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()
    folder = cache_dir / "remote"
    cached = sorted(folder.glob(f"{key}.*")) if folder.is_dir() else []
    error = "offline"
    if client is not None:
        try:
            data, ctype = _get(client, url)
            suffix = _suffix(url, ctype)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{key}{suffix}"
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
            for old in cached:
                if old != target:
                    old.unlink(missing_ok=True)
            return Fetched(data, suffix)
        except (OSError, httpx.HTTPError) as exc:
            error = f"{type(exc).__name__}: {exc}" if isinstance(exc, httpx.HTTPError) else str(exc)
    if cached:
        if client is not None:
            warn(f"Could not fetch {what} {url} ({error}); using the cached copy")
        return Fetched(cached[0].read_bytes(), cached[0].suffix)
    warn(f"Could not fetch {what} {url} ({error}); the site links it from its host")
    return None


def static_name(url: str, fetched: Fetched) -> str:
    """`static/media/<12 hex of the content>.<ext>`: content-addressed, so caches never go stale."""
    return f"static/media/{hashlib.sha256(fetched.data).hexdigest()[:12]}{fetched.suffix}"


# ---------------------------------------------------------------- chart colours


@dataclass
class Schemes:
    """Custom properties of the top-level `:root` and `.dark` blocks, in source order."""

    light: dict[str, str] = field(default_factory=dict)
    dark: dict[str, str] = field(default_factory=dict)


_DECL = re.compile(r"(--[\w-]+)\s*:\s*([^;]+)")


def _blocks(css: str) -> Iterator[tuple[str, str]]:
    i = 0
    while i < len(css):
        if css.startswith("/*", i):
            i = _skip_comment(css, i)
            continue
        end, kind = _statement_end(css, i)
        if kind != "{":
            i = end + 1
            continue
        close = _block_end(css, end + 1)
        yield re.sub(r"/\*.*?\*/", "", css[i:end], flags=re.S).strip(), css[end + 1 : close]
        i = close + 1


def collect(css: str) -> Schemes:
    s = Schemes()
    for selector, body in _blocks(css):
        targets = []
        for sel in (x.strip() for x in selector.split(",")):
            if sel in (":root", "html", ":root:not(.dark)"):
                targets.append(s.light)
            elif sel in (".dark", ":root.dark", "html.dark"):
                targets.append(s.dark)
        for m in _DECL.finditer(body):
            for t in targets:
                t[m.group(1)] = m.group(2).strip()
    return s


def resolve(name: str, props: dict[str, str], depth: int = 0) -> str | None:
    value = props.get(name)
    if value is None or depth > 20:
        return None
    m = re.fullmatch(r"var\(\s*(--[\w-]+)\s*(?:,\s*(.+))?\)", value.strip())
    if m:
        inner = resolve(m.group(1), props, depth + 1)
        return inner if inner is not None else (m.group(2) or None)
    return value.strip()


def _num(text: str, scale: float = 1.0) -> float:
    text = text.strip()
    if text.endswith("%"):
        return float(text[:-1]) / 100 * scale
    if text.endswith("deg"):
        return float(text[:-3])
    return float(text)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(max(c, 0.0), 1.0)
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def oklab_of_srgb(r: float, g: float, b: float) -> tuple[float, float, float]:
    r, g, b = _linear(r), _linear(g), _linear(b)
    lo = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3)
    mo = (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3)
    so = (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3)
    return (
        0.2104542553 * lo + 0.7936177850 * mo - 0.0040720468 * so,
        1.9779984951 * lo - 2.4285922050 * mo + 0.4505937099 * so,
        0.0259040371 * lo + 0.7827717662 * mo - 0.8086757660 * so,
    )


def srgb_of_oklab(lightness: float, a: float, b: float) -> tuple[float, float, float]:
    lo = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    mo = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    so = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return (
        _gamma(4.0767416621 * lo - 3.3077115913 * mo + 0.2309699292 * so),
        _gamma(-1.2684380046 * lo + 2.6097574011 * mo - 0.3413193965 * so),
        _gamma(-0.0041960863 * lo - 0.7034186147 * mo + 1.7076147010 * so),
    )


def parse_colour(text: str) -> tuple[float, float, float] | None:
    """OKLab of a hex, rgb(), hsl(), oklch() or oklab() colour; None for anything else."""
    t = text.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3,8}", t):
        h = t[1:]
        if len(h) in (3, 4):
            h = "".join(ch * 2 for ch in h[:3])
        r, g, b = (int(h[k : k + 2], 16) / 255 for k in (0, 2, 4))
        return oklab_of_srgb(r, g, b)
    m = re.fullmatch(r"(rgba?|hsla?|oklch|oklab)\((.*)\)", t)
    if not m:
        return None
    parts = [p for p in re.split(r"[\s,/]+", m.group(2).strip()) if p][:3]
    if len(parts) < 3:
        return None
    try:
        fn = m.group(1)
        if fn.startswith("rgb"):
            r, g, b = (_num(p, 255) / 255 for p in parts)
            return oklab_of_srgb(r, g, b)
        if fn.startswith("hsl"):
            hue, sat, lig = _num(parts[0]), _num(parts[1], 1), _num(parts[2], 1)
            if not parts[1].endswith("%"):
                sat, lig = sat / 100, lig / 100
            k = [(n + hue / 30) % 12 for n in (0, 8, 4)]
            a = sat * min(lig, 1 - lig)
            r, g, b = (lig - a * max(-1, min(x - 3, 9 - x, 1)) for x in k)
            return oklab_of_srgb(r, g, b)
        lig = _num(parts[0], 1)
        if fn == "oklab":
            return (lig, _num(parts[1], 0.4), _num(parts[2], 0.4))
        chroma, hue = _num(parts[1], 0.4), _num(parts[2])
        return (lig, chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue)))
    except ValueError:
        return None


def _hex(lab: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in srgb_of_oklab(*lab))


MIN_DISTANCE = 0.1  # OKLab ΔE below which two slices side by side are hard to tell apart
SERIES = 5  # the donut and breakdown show the top types in chart-1 … chart-5 most of the time


def chart_overrides(css: str, warn: Warn, source: str) -> str:
    """A `:root`/`.dark` block giving chart-2 … chart-10 distinct hues when the theme's first
    five chart colours are too close to tell apart; '' when they are fine or cannot be read.

    The brand's chart-1 is kept; the others turn its hue around the colour wheel at its
    lightness and chroma (at least 0.12, so greys become colours), which stays on brand."""
    schemes = collect(css)
    blocks = []
    for selector, props in (
        (":root:not(.dark)", schemes.light),
        (".dark", {**schemes.light, **schemes.dark}),
    ):
        labs = [parse_colour(resolve(f"--chart-{k}", props) or "") for k in range(1, SERIES + 1)]
        if any(x is None for x in labs):
            continue
        known = [x for x in labs if x is not None]
        closest = min(math.dist(a, b) for n, a in enumerate(known) for b in known[n + 1 :])
        if closest >= MIN_DISTANCE:
            continue
        lig, a, b = known[0]
        chroma = max(math.hypot(a, b), 0.12)
        hue = math.atan2(b, a)
        lig = min(max(lig, 0.45), 0.72)
        decls = []
        for k in range(2, 11):
            # five hues evenly around the wheel from the brand's; 6…10 between them, lighter
            turn = (k - 1) / 5 if k <= 5 else (k - 6) / 5 + 0.1
            h = hue + 2 * math.pi * turn
            lk = lig if k <= 5 else min(lig + 0.15, 0.85)
            decls.append(f"--chart-{k}: {_hex((lk, chroma * math.cos(h), chroma * math.sin(h)))};")
        blocks.append(f"{selector} {{ {' '.join(decls)} }}")
        warn(
            f"{source}: the chart colours --chart-1…--chart-{SERIES} ({selector}) are too similar "
            "to tell apart; chart-2…chart-10 use hues derived from --chart-1"
        )
    if not blocks:
        return ""
    return "/* distinct chart colours (WEB-07) */\n" + "\n".join(blocks) + "\n"


# ---------------------------------------------------------------- the build step


@dataclass
class Brand:
    """What `stage_static` adds to the site: CSS after the built-in rules, downloaded images."""

    css: bytes = b""
    files: dict[str, bytes] = field(default_factory=dict)  # site path → bytes
    local: dict[str, str] = field(default_factory=dict)  # config URL → site path
    theme_link: str | None = None  # the remote theme, linked only when never fetched
    failures: int = 0


def _read_site_path(data_dir: Path, url: str) -> bytes | None:
    root = data_dir.resolve()
    target = (data_dir / url.lstrip("/")).resolve()
    if root not in target.parents or not target.is_file():
        return None
    return target.read_bytes()


def prepare(
    *,
    data_dir: Path,
    cache_dir: Path,
    theme_url: str | None,
    images: dict[str, str | None],
    builtin_css: bytes,
    offline: bool,
    warn: Warn,
    client_factory: Callable[[], httpx.Client] = httpx.Client,
) -> Brand:
    """`theme.css`, then `leaderboard.theme`, translated; remote images fetched (WEB-07).

    `images` maps a label (`org.logo_url` …) to its configured URL."""
    brand = Brand()
    parts: list[str] = []
    local_theme = data_dir / "theme.css"
    if local_theme.is_file():
        t = translate(local_theme.read_bytes().decode("utf-8", "replace"), "theme.css")
        for w in t.warnings:
            warn(w)
        parts.append("\n/* theme.css */\n" + t.css)
    remote = [u for u in [theme_url, *images.values()] if u and is_remote(u)]
    client = client_factory() if remote and not offline else None
    try:
        if theme_url:
            text: bytes | None = None
            if is_remote(theme_url):
                got = fetch_remote(theme_url, cache_dir, client=client, warn=warn, what="theme")
                text = got.data if got else None
            else:
                text = _read_site_path(data_dir, theme_url)
                if text is None:
                    warn(f"leaderboard.theme {theme_url}: no such file in the data directory")
            if text is None:
                brand.theme_link = theme_url  # linked as configured: better than no theme
                brand.failures += client is not None and is_remote(theme_url)
            else:
                t = translate(text.decode("utf-8", "replace"), "leaderboard.theme")
                for w in t.warnings:
                    warn(w)
                parts.append(f"\n/* leaderboard.theme {theme_url} */\n" + t.css)
        for label, url in images.items():
            if not url or not is_remote(url) or url in brand.local:
                continue
            got = fetch_remote(url, cache_dir, client=client, warn=warn, what=label)
            if got is None:
                brand.failures += client is not None  # online failures make the build volatile
                continue
            path = static_name(url, got)
            brand.files[path] = got.data
            brand.local[url] = path
    finally:
        if client is not None:
            client.close()
    theme_css = "".join(parts)
    if theme_css:
        theme_css += "\n" + chart_overrides(
            builtin_css.decode("utf-8", "replace") + theme_css, warn, "theme"
        )
    brand.css = theme_css.encode("utf-8")
    return brand
