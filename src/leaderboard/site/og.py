"""Open Graph images (WEB-45): `<u>/opengraph-image.png`, 1200×630, drawn with Pillow.

Rendering 1,500 cards is the slowest part of a build (CORE-80), so cards are cached by the
sha256 of everything that affects their pixels (texts, avatar bytes, font, Pillow version and
this renderer's version): an unchanged rebuild renders nothing. Misses are rendered in a
process pool (2 workers by default). Fonts never come from the network: `site.og_font` or
Pillow's bundled scalable font, with the basic layout engine for identical output everywhere.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass, field
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import PIL
from PIL import Image, ImageChops, ImageDraw, ImageFont

from leaderboard.site.avatars import initials, load_font
from leaderboard.site.format import format_int
from leaderboard.site.output import replace_file
from leaderboard.timeutil import canonical

WIDTH, HEIGHT, PADDING = 1200, 630, 60
RENDERER_VERSION = "1"
TOP_COLOUR, BOTTOM_COLOUR = (0x1E, 0x29, 0x3B), (0x0F, 0x17, 0x2A)
BLUE, LIGHT_BLUE, MUTED, FOOTER = (
    (0x3B, 0x82, 0xF6),
    (0x60, 0xA5, 0xFA),
    (0x94, 0xA3, 0xB8),
    (0x64, 0x74, 0x8B),
)
WHITE = (255, 255, 255)
AVATAR, BORDER = 180, 6
IN_PROCESS_LIMIT = 8  # fewer misses than this are rendered without starting processes

Write = Callable[[str, bytes], Any]


@dataclass(frozen=True, slots=True)
class OgCard:
    """One profile card. `avatar` is the processed WebP (WEB-09) or None for the initials disc."""

    relpath: str  # e.g. "alice/opengraph-image.png" (raw username directory)
    display_name: str
    username: str
    points: int
    activities: int
    org_name: str
    avatar: bytes | None = None


@dataclass
class OgStats:
    rendered: int = 0
    cached: int = 0
    written: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _background() -> Image.Image:
    """Linear gradient towards the bottom-right: mask = (x/W + y/H) / 2."""
    horizontal = Image.linear_gradient("L").rotate(90).resize((WIDTH, HEIGHT))
    vertical = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    mask = ImageChops.add(horizontal, vertical, scale=2.0)
    return Image.composite(
        Image.new("RGB", (WIDTH, HEIGHT), BOTTOM_COLOUR),
        Image.new("RGB", (WIDTH, HEIGHT), TOP_COLOUR),
        mask,
    )


def fit_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> str:
    """`text`, cut with `…` until it fits `max_width` pixels."""
    if font.getlength(text) <= max_width:
        return text
    while text and font.getlength(text + "…") > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


def _bold(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    font: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int],
    synthetic: bool,
) -> None:
    # Pillow's bundled font has no bold face; a thin stroke in the same colour stands in for it.
    draw.text(
        xy,
        text,
        font=font,
        fill=fill,
        anchor="mt",
        stroke_width=1 if synthetic else 0,
        stroke_fill=fill,
    )


@lru_cache(maxsize=4)  # two sizes per card, identical on every card (read-only paste masks)
def _circle_mask(size: int) -> Image.Image:
    scale = 4  # supersample for a smooth edge
    big = Image.new("L", (size * scale, size * scale), 0)
    ImageDraw.Draw(big).ellipse((0, 0, size * scale - 1, size * scale - 1), fill=255)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def render_og_image(card: OgCard, font_path: str | None = None) -> bytes:
    """The PNG bytes of one card."""
    image = _background().copy()
    draw = ImageDraw.Draw(image)
    synthetic = font_path is None
    inner = WIDTH - 2 * PADDING
    name_font, user_font = load_font(56, font_path), load_font(32, font_path)
    value_font, label_font, footer_font = (
        load_font(48, font_path),
        load_font(20, font_path),
        load_font(24, font_path),
    )

    outer = AVATAR + 2 * BORDER
    heights = [outer, 28, 64, 12, 40, 36, 56, 12, 24, 40, 30]
    y = (HEIGHT - sum(heights)) / 2
    cx = WIDTH / 2

    # Avatar (or initials disc) with its border ring.
    left, top = int(cx - outer / 2), int(y)
    ring = Image.new("RGB", (outer, outer), BLUE if card.avatar else LIGHT_BLUE)
    image.paste(ring, (left, top), _circle_mask(outer))
    if card.avatar:
        with Image.open(io.BytesIO(card.avatar)) as source:
            face = source.convert("RGBA").resize((AVATAR, AVATAR), Image.Resampling.LANCZOS)
        image.paste(face.convert("RGB"), (left + BORDER, top + BORDER), _circle_mask(AVATAR))
    else:
        disc = Image.new("RGB", (AVATAR, AVATAR), BLUE)
        image.paste(disc, (left + BORDER, top + BORDER), _circle_mask(AVATAR))
        draw.text(
            (cx, top + outer / 2), initials(card.display_name or card.username), font=load_font(72, font_path),
            fill=WHITE, anchor="mm", stroke_width=1 if synthetic else 0, stroke_fill=WHITE,
        )  # fmt: skip
    y += outer + 28

    _bold(draw, (cx, y), fit_text(card.display_name, name_font, inner), name_font, WHITE, synthetic)
    y += 64 + 12
    draw.text(
        (cx, y),
        fit_text(f"@{card.username}", user_font, inner),
        font=user_font,
        fill=MUTED,
        anchor="mt",
    )
    y += 40 + 36

    stats = [(format_int(card.points), "Total Points"), (format_int(card.activities), "Activities")]
    widths = [max(value_font.getlength(v), label_font.getlength(lbl)) for v, lbl in stats]
    gap = 60
    x = cx - (sum(widths) + gap) / 2
    for (value, label), w in zip(stats, widths, strict=True):
        centre = x + w / 2
        _bold(draw, (centre, y), value, value_font, BLUE, synthetic)
        draw.text((centre, y + 56 + 12), label, font=label_font, fill=MUTED, anchor="mt")
        x += w + gap
    y += 56 + 12 + 24 + 40

    _footer(draw, cx, y, card.org_name, footer_font, inner)

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def _footer(
    draw: ImageDraw.ImageDraw,
    cx: float,
    y: float,
    org: str,
    font: ImageFont.FreeTypeFont,
    inner: float,
) -> None:
    """`<org> • Contributor Leaderboard`; the bullet is drawn as a disc because Pillow's bundled
    font has no U+2022 glyph."""
    tail = "Contributor Leaderboard"
    gap = font.getlength(" ") * 2 + 12
    org = fit_text(org, font, inner - gap - font.getlength(tail))
    total = font.getlength(org) + gap + font.getlength(tail)
    x = cx - total / 2
    draw.text((x, y), org, font=font, fill=FOOTER, anchor="lt")
    dot_x = x + font.getlength(org) + gap / 2
    _, x_top, _, x_bottom = font.getbbox("x", anchor="lt")
    dot_y = y + (x_top + x_bottom) / 2
    draw.ellipse((dot_x - 3, dot_y - 3, dot_x + 3, dot_y + 3), fill=FOOTER)
    draw.text((x + font.getlength(org) + gap, y), tail, font=font, fill=FOOTER, anchor="lt")


def _font_digest(font_path: str | None) -> str:
    if not font_path:
        return "default"
    return hashlib.sha256(Path(font_path).read_bytes()).hexdigest()


def card_key(card: OgCard, font_digest: str) -> str:
    """Content hash of everything that changes the pixels (not the output path)."""
    h = hashlib.sha256()
    for part in (RENDERER_VERSION, PIL.__version__, font_digest, *astuple(card)[1:6]):
        h.update(str(part).encode("utf-8") + b"\0")
    h.update(hashlib.sha256(card.avatar or b"").digest())
    return h.hexdigest()


def _render_job(args: tuple[OgCard, str | None]) -> bytes:
    return render_og_image(*args)


def render_og_images(
    cards: Sequence[OgCard],
    *,
    write: Write,
    cache_dir: Path,
    font_path: str | None = None,
    workers: int = 2,
) -> OgStats:
    """Write every card through `write(relpath, png)`, rendering only cache misses.

    The cache lives in `<cache dir>/og/<content hash>.png`. Output order is the cards' order by
    relpath, whatever order the pool finishes in.
    """
    stats = OgStats()
    digest = _font_digest(font_path)
    keyed = [(card, card_key(card, digest)) for card in sorted(cards, key=lambda c: c.relpath)]
    cached: set[str] = set()
    misses: list[tuple[OgCard, str]] = []
    for card, key in keyed:
        if key in cached:
            continue
        cached.add(key)  # an identical card later on is the same file
        if (cache_dir / "og" / f"{key}.png").exists():
            stats.cached += 1
        else:
            misses.append((card, key))
    jobs = [(card, font_path) for card, _ in misses]
    pool: ProcessPoolExecutor | None = None
    if len(misses) < IN_PROCESS_LIMIT or workers <= 1:
        rendered: Iterator[bytes] = map(_render_job, jobs)
    else:
        # spawned, not forked: a forked worker would count the whole build's memory again
        # in the process tree (CORE-80 budgets its peak), a fresh one only needs Pillow
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
        rendered = pool.map(_render_job, jobs, chunksize=8)
    # Each image is written as it arrives (in relpath order) and then dropped: holding all of
    # them until the end was ~0.9 GB at 15,000 contributors (CORE-80).
    pending = {key for _, key in misses}
    try:
        for card, key in keyed:
            path = cache_dir / "og" / f"{key}.png"
            if key in pending:
                data = next(rendered)
                replace_file(path, data)
                pending.discard(key)
                stats.rendered += 1
            else:
                data = path.read_bytes()
            write(card.relpath, data)
            stats.written.append(card.relpath)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return stats


def build_stage(state: Any) -> None:
    """Builder step (WEB-02 step 7): `<u>/opengraph-image.png` for every contributor, using the
    avatars produced by the avatar step (`state.extra["avatars"]`) when present."""
    o = state.options
    db = state.public
    avatars: dict[str, bytes] = state.extra.get("avatars", {})
    end = canonical(o.now)
    totals = {
        u: (int(p), int(n))
        for u, p, n in db.execute(
            "SELECT contributor, SUM(effective_points), COUNT(*) FROM activity WHERE occurred_at <= ? "
            "GROUP BY contributor",
            (end,),
        )
    }
    cards = []
    for r in db.query("SELECT username, name FROM contributor ORDER BY username"):
        user = r["username"]
        points, count = totals.get(user, (0, 0))
        cards.append(
            OgCard(
                relpath=f"{state.urls.profile_dir(user)}/opengraph-image.png",
                display_name=r["name"] or user,
                username=user,
                points=points,
                activities=count,
                org_name=o.config.org.name,
                avatar=avatars.get(user),
            )
        )
    font = o.config.leaderboard.site.og_font
    stats = render_og_images(
        cards,
        write=state.writer.write,
        cache_dir=Path(o.cache_dir or (Path(o.data_dir) / ".leaderboard-cache")),
        font_path=str(Path(o.data_dir) / font) if font else None,
        workers=2,
    )
    o.logger.info("Open Graph images: %d rendered, %d cached", stats.rendered, stats.cached)
