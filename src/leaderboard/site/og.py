"""Open Graph images (WEB-45): `<u>/opengraph-image.png`, 1200×630, drawn with Pillow.

Rendering 1,500 cards was the slowest part of a build (CORE-80: ≤ 5 ms of CPU each, on every
core), so a card is composed directly as an 8-bit palette image (see "the indexed canvas"), the
parts every card shares are drawn once per process, and cards are cached by the sha256 of
everything that affects their pixels (texts, avatar bytes, font, Pillow version and this
renderer's version): an unchanged rebuild renders nothing. Misses are rendered by `fork_map` on
every core. Fonts never come from the network: `site.og_font` or Pillow's bundled scalable font,
with the basic layout engine for identical output everywhere.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import PIL
from PIL import Image, ImageChops, ImageDraw, ImageFont

from leaderboard.forkmap import fork_map
from leaderboard.queries import activities
from leaderboard.queries.types import ContributorTotals
from leaderboard.site.avatars import font_digest, initials, load_font
from leaderboard.site.format import format_int
from leaderboard.site.output import Stat, replace_file, safe_rel, write_known
from leaderboard.timeutil import canonical

if TYPE_CHECKING:
    from leaderboard.site.builder import BuildState

WIDTH, HEIGHT, PADDING = 1200, 630, 60
RENDERER_VERSION = "3"  # 2: palette PNG composed as indices; 3: banded deflate
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
COMPRESS_LEVEL = 3  # zlib: 2.8 ms and 28 KB a card; 6 took 2.4× as long for 2/3 of the size
BAND = 16  # rows deflated on their own (see "the PNG file"): 10-20 cost the same, 16 is smaller

Write = Callable[[str, bytes], Any]
Place = Callable[[str, bytes], Any]  # in the drawing process: put one image in the site


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
    """Linear gradient towards the bottom-right: mask = (x/W + y/H) / 2 (RGB, for reference)."""
    return Image.composite(
        Image.new("RGB", (WIDTH, HEIGHT), BOTTOM_COLOUR),
        Image.new("RGB", (WIDTH, HEIGHT), TOP_COLOUR),
        _gradient_mask(),
    )


@lru_cache(maxsize=1)
def _gradient_mask() -> Image.Image:
    horizontal = Image.linear_gradient("L").rotate(90).resize((WIDTH, HEIGHT))
    vertical = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    return ImageChops.add(horizontal, vertical, scale=2.0)


def fit_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> str:
    """`text`, cut with `…` until it fits `max_width` pixels."""
    if font.getlength(text) <= max_width:
        return text
    while text and font.getlength(text + "…") > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


@lru_cache(maxsize=4)  # two sizes per card, identical on every card (read-only paste masks)
def _circle_mask(size: int) -> Image.Image:
    scale = 4  # supersample for a smooth edge
    big = Image.new("L", (size * scale, size * scale), 0)
    ImageDraw.Draw(big).ellipse((0, 0, size * scale - 1, size * scale - 1), fill=255)
    return big.resize((size, size), Image.Resampling.LANCZOS)


# ---------------------------------------------------------------- the indexed canvas
#
# A card is composed directly as palette indices (an "L" image whose values index the palette)
# and saved as an 8-bit palette PNG: a third of the bytes of RGB to filter and compress, which
# was most of the time (CORE-80: ≤ 5 ms of CPU per card). The palette holds the background's
# exact colours, each text colour exactly with 7 anti-aliasing steps over what it is drawn on,
# and up to FACE_COLOURS colours of the avatar (octree-quantised). Everything that is the same
# on every card (background, footer, labels) is drawn once per process.

LEVELS = 8  # anti-aliasing steps of a text edge (level 0 leaves what is underneath)
FACE_COLOURS = 128
_LEVEL = [(v * LEVELS + 128) // 256 for v in range(256)]


RGB = tuple[int, int, int]


@dataclass(frozen=True)
class _Palette:
    """The fixed part of every card's palette: colours and where each ramp starts."""

    colours: tuple[RGB, ...]
    background: tuple[int, ...]  # gradient mask value → index
    ramps: dict[tuple[RGB, RGB], int]  # (colour, drawn over) → index of level 0


def _mix(top: RGB, under: RGB, level: int) -> RGB:
    """`top` over `under` at coverage level/LEVELS, rounded."""
    r, g, b = (
        (t * level + u * (LEVELS - level) + LEVELS // 2) // LEVELS
        for t, u in zip(top, under, strict=True)
    )
    return (r, g, b)


MIDDLE = _mix(TOP_COLOUR, BOTTOM_COLOUR, LEVELS // 2)  # what text is blended over
RAMPS: tuple[tuple[RGB, RGB], ...] = (
    (WHITE, MIDDLE),
    (MUTED, MIDDLE),
    (BLUE, MIDDLE),
    (FOOTER, MIDDLE),
    (LIGHT_BLUE, MIDDLE),
    (BLUE, LIGHT_BLUE),  # the initials disc inside its ring
    (WHITE, BLUE),  # the initials
)


@lru_cache(maxsize=1)
def _palette() -> _Palette:
    """The gradient's colours exactly as `_background` has them (one per distinct colour, in
    mask order), then LEVELS steps of each ramp."""
    strip = Image.composite(
        Image.new("RGB", (256, 1), BOTTOM_COLOUR),
        Image.new("RGB", (256, 1), TOP_COLOUR),
        Image.linear_gradient("L").rotate(90).resize((256, 1)),
    ).tobytes()
    by_value = [(strip[i], strip[i + 1], strip[i + 2]) for i in range(0, 768, 3)]
    index: dict[RGB, int] = {}
    for colour in by_value:
        index.setdefault(colour, len(index))
    colours = list(index)
    ramps: dict[tuple[RGB, RGB], int] = {}
    for top, under in RAMPS:
        ramps[(top, under)] = len(colours) - 1  # + level (1…LEVELS) is the index
        colours.extend(_mix(top, under, level) for level in range(1, LEVELS + 1))
    return _Palette(tuple(colours), tuple(index[c] for c in by_value), ramps)


class Canvas:
    """A card's palette indices, one column wider than the card: column 0 holds each PNG
    scanline's filter byte (0, none), so the image's bytes are the PNG's uncompressed data.
    Every paste goes through `paste`, which shifts it right by that column and records which
    bands of BAND rows it touched (see "the PNG file")."""

    def __init__(self, image: Image.Image) -> None:
        self.image = image
        self.touched: set[int] = set()

    @classmethod
    def of(cls, indices: Image.Image) -> Canvas:
        """A canvas showing `indices` (an "L" image of WIDTH × HEIGHT)."""
        image = Image.new("L", (STRIDE, HEIGHT), 0)
        image.paste(indices, (1, 0))
        return cls(image)

    def copy(self) -> Canvas:
        return Canvas(self.image.copy())

    def paste(self, im: Image.Image, xy: tuple[int, int], mask: Image.Image) -> None:
        x, y = xy
        self.image.paste(im, (x + 1, y), mask)
        top, bottom = max(y, 0), min(y + im.height, HEIGHT)
        if bottom > top:  # (a paste wholly outside the canvas changes nothing)
            self.touched.update(range(top // BAND, (bottom - 1) // BAND + 1))


def _paste_level(
    canvas: Canvas, mask: Image.Image, xy: tuple[int, int], colour: RGB, under: RGB = MIDDLE
) -> None:
    """Paint `colour` through the coverage `mask` (0–255) at `xy`, each edge pixel taking the
    ramp step of its coverage (palette indices cannot be blended)."""
    canvas.paste(_mapped(mask, _ramp_table(colour, under)), xy, _mapped(mask, _COVERED))


# `Image.point` with a list rounds all 256 entries in Python on every call (15 calls a card were
# a third of its CPU); byte tables applied with `bytes.translate` give the same pixels.
_COVERED = bytes(255 if level else 0 for level in _LEVEL)


@lru_cache(maxsize=16)
def _ramp_table(colour: RGB, under: RGB) -> bytes:
    """Coverage → palette index of the ramp of `colour` over `under`."""
    base = _palette().ramps[(colour, under)]
    return bytes(base + level for level in _LEVEL)


def _mapped(image: Image.Image, table: bytes) -> Image.Image:
    """`image.point(table)` for an "L" image, through `bytes.translate` (see `_COVERED`)."""
    return Image.frombytes("L", image.size, image.tobytes().translate(table))


@lru_cache(maxsize=256)
def _text_mask(
    text: str, size: int, font_path: str | None, anchor: str, bold: bool
) -> tuple[Image.Image, int, int]:
    """Coverage of `text` drawn at (0, 0) with `anchor`, and the offset of its top-left corner.

    Synthetic bold (Pillow's bundled font has no bold face; a stroke was a third of the text
    cost): the glyphs smeared one pixel to each side and one down, about what a 1 px stroke
    in the same colour gave.
    """
    font = load_font(size, font_path)
    left, top, right, bottom = (int(v) for v in font.getbbox(text, anchor=anchor))
    grow = 2 if bold else 0
    mask = Image.new("L", (max(1, right - left + grow), max(1, bottom - top + grow // 2)), 0)
    ImageDraw.Draw(mask).text((grow // 2 - left, -top), text, font=font, fill=255, anchor=anchor)
    if bold:
        wide = ImageChops.lighter(
            mask, ImageChops.lighter(ImageChops.offset(mask, 1, 0), ImageChops.offset(mask, -1, 0))
        )
        mask = ImageChops.lighter(wide, ImageChops.offset(wide, 0, 1))
    return mask, left - grow // 2, top


def _text(
    canvas: Canvas,
    xy: tuple[float, float],
    text: str,
    size: int,
    font_path: str | None,
    colour: RGB,
    anchor: str = "mt",
    bold: bool = False,
    under: RGB = MIDDLE,
) -> None:
    mask, left, top = _text_mask(text, size, font_path, anchor, bold and font_path is None)
    _paste_level(canvas, mask, (round(xy[0]) + left, round(xy[1]) + top), colour, under)


def _layout_top() -> float:
    outer = AVATAR + 2 * BORDER
    heights = [outer, 28, 64, 12, 40, 36, 56, 12, 24, 40, 30]
    return (HEIGHT - sum(heights)) / 2


@lru_cache(maxsize=4)
def _base(org_name: str, font_path: str | None) -> Canvas:
    """Background and footer as palette indices: the same on every card of a build."""
    canvas = Canvas.of(_gradient_mask().point(list(_palette().background)))
    outer = AVATAR + 2 * BORDER
    y = _layout_top() + outer + 28 + 64 + 12 + 40 + 36 + 56 + 12 + 24 + 40
    _footer(canvas, WIDTH / 2, y, org_name, font_path, WIDTH - 2 * PADDING)
    return canvas


def _face(avatar: bytes, first: int) -> tuple[Image.Image, list[int]]:
    """The avatar at AVATAR px as indices from `first` on, and its colours (flat RGB)."""
    with Image.open(io.BytesIO(avatar)) as source:
        face = source.convert("RGB").resize((AVATAR, AVATAR), Image.Resampling.BILINEAR)
    quantised = face.quantize(FACE_COLOURS, method=Image.Quantize.FASTOCTREE)
    colours = (quantised.getpalette() or [])[: 3 * FACE_COLOURS]
    indices = Image.frombytes("L", quantised.size, quantised.tobytes())
    return _mapped(indices, _shifted(first)), colours


@lru_cache(maxsize=2)
def _shifted(first: int) -> bytes:
    return bytes(min(255, first + v) for v in range(256))


@lru_cache(maxsize=2)
def _solid_circle(size: int) -> Image.Image:
    """The circle without its anti-aliased edge (palette indices cannot be blended)."""
    return _circle_mask(size).point([255 if v >= 128 else 0 for v in range(256)])


# ---------------------------------------------------------------- the PNG file
#
# Deflating the 756 KB of indices was half of a card's CPU, and most rows of a card are rows of
# the canvas it started from (the gradient above, between and below the texts, the footer, the
# empty disc). So the scanlines are deflated in bands of BAND rows, each on its own (raw deflate
# flushed to a byte boundary, so that bands follow one another in one valid stream): a band no
# paste touched (`Canvas.touched`) reuses the bytes and checksum computed once per process for
# the starting canvas. Same pixels and palette as Pillow's writer gave; a few KB larger.

STRIDE = WIDTH + 1  # a scanline: filter type 0 (none), then the row's indices
_ZLIB_HEADER = b"\x78\x5e"  # deflate, 32 KiB window, "fast" level; 0x785e is a multiple of 31
_FINAL_BLOCK = b"\x03\x00"  # an empty final block ends the deflate stream
_ADLER_BASE = 65521


def adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings one after the other, from theirs (zlib's
    `adler32_combine`, which Python's `zlib` module does not offer)."""
    rem = second_length % _ADLER_BASE
    sum1 = first & 0xFFFF
    sum2 = (rem * sum1 + (first >> 16) + (second >> 16) + _ADLER_BASE - rem) % _ADLER_BASE
    sum1 = (sum1 + (second & 0xFFFF) + _ADLER_BASE - 1) % _ADLER_BASE
    return sum1 | (sum2 << 16)


@dataclass(frozen=True)
class _Band:
    """Rows [top, top + BAND) of a canvas: deflated on their own, their Adler-32 and length."""

    deflated: bytes
    adler: int
    length: int


def _bands(canvas: Canvas, which: Sequence[int]) -> dict[int, _Band]:
    """The bands `which` (ascending) of `canvas`, read in runs of adjacent bands."""
    out: dict[int, _Band] = {}
    runs: list[list[int]] = []
    for n in which:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    for run in runs:
        top, bottom = run[0] * BAND, min((run[-1] + 1) * BAND, HEIGHT)
        raw = canvas.image.crop((0, top, STRIDE, bottom)).tobytes()
        size = STRIDE * BAND
        for n, i in zip(run, range(0, len(raw), size), strict=True):
            chunk = raw[i : i + size]
            packer = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
            deflated = packer.compress(chunk) + packer.flush(zlib.Z_SYNC_FLUSH)
            out[n] = _Band(deflated, zlib.adler32(chunk), len(chunk))
    return out


BANDS = range(-(-HEIGHT // BAND))


@dataclass(frozen=True)
class _Start:
    """A canvas cards start from (copied, then drawn on) and its bands, deflated once."""

    canvas: Canvas
    bands: dict[int, _Band]


@lru_cache(maxsize=8)
def _start(org_name: str, font_path: str | None, picture: bool) -> _Start:
    """Background and footer, and for cards without a picture the initials disc in its ring
    (WEB-45) without the initials: the same on every such card of a build."""
    canvas = _base(org_name, font_path).copy()
    if not picture:
        outer = AVATAR + 2 * BORDER
        left, top = int(WIDTH / 2 - outer / 2), int(_layout_top())
        _paste_level(canvas, _circle_mask(outer), (left, top), LIGHT_BLUE)
        inside = (left + BORDER, top + BORDER)
        _paste_level(canvas, _circle_mask(AVATAR), inside, BLUE, LIGHT_BLUE)
    canvas.touched.clear()
    return _Start(canvas, _bands(canvas, BANDS))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(canvas: Canvas, colours: list[int], start: _Start) -> bytes:
    """An 8-bit palette PNG of `canvas` with `colours` (flat RGB); only the bands a paste
    touched since `start` are deflated."""
    bands = {**start.bands, **_bands(canvas, sorted(canvas.touched))}
    adler = 1  # of no bytes
    for n in BANDS:
        adler = adler32_combine(adler, bands[n].adler, bands[n].length)
    stream = b"".join(
        (_ZLIB_HEADER, *(bands[n].deflated for n in BANDS), _FINAL_BLOCK, struct.pack(">I", adler))
    )
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 3, 0, 0, 0)  # 8-bit indexed colour
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", bytes(colours)),
            _chunk(b"IDAT", stream),
            _chunk(b"IEND", b""),
        )
    )


def render_og_image(card: OgCard, font_path: str | None = None) -> bytes:
    """The PNG bytes of one card (an 8-bit palette PNG, see above)."""
    palette = _palette()
    start = _start(card.org_name, font_path, bool(card.avatar))
    canvas = start.canvas.copy()
    inner = WIDTH - 2 * PADDING
    outer = AVATAR + 2 * BORDER
    y = _layout_top()
    cx = WIDTH / 2
    colours = [v for c in palette.colours for v in c]

    # Avatar (or initials disc, already on the start canvas) with its border ring.
    left, top = int(cx - outer / 2), int(y)
    inside = (left + BORDER, top + BORDER)
    if card.avatar:
        _paste_level(canvas, _circle_mask(outer), (left, top), BLUE)
        face, face_colours = _face(card.avatar, len(palette.colours))
        canvas.paste(face, inside, _solid_circle(AVATAR))  # (shifted and recorded)
        colours += face_colours
    else:
        initials_text = initials(card.display_name or card.username)
        _text(canvas, (cx, top + outer / 2), initials_text, 72, font_path, WHITE, "mm", True, BLUE)
    y += outer + 28

    name_font, user_font = load_font(56, font_path), load_font(32, font_path)
    _text(
        canvas,
        (cx, y),
        fit_text(card.display_name, name_font, inner),
        56,
        font_path,
        WHITE,
        bold=True,
    )
    y += 64 + 12
    _text(canvas, (cx, y), fit_text(f"@{card.username}", user_font, inner), 32, font_path, MUTED)
    y += 40 + 36

    value_font, label_font = load_font(48, font_path), load_font(20, font_path)
    stats = [(format_int(card.points), "Total Points"), (format_int(card.activities), "Activities")]
    widths = [max(value_font.getlength(v), label_font.getlength(lbl)) for v, lbl in stats]
    gap = 60
    x = cx - (sum(widths) + gap) / 2
    for (value, label), w in zip(stats, widths, strict=True):
        centre = x + w / 2
        _text(canvas, (centre, y), value, 48, font_path, BLUE, bold=True)
        _text(canvas, (centre, y + 56 + 12), label, 20, font_path, MUTED)
        x += w + gap

    return encode_png(canvas, colours, start)


def _footer(
    canvas: Canvas,
    cx: float,
    y: float,
    org: str,
    font_path: str | None,
    inner: float,
) -> None:
    """`<org> • Contributor Leaderboard`; the bullet is drawn as a disc because Pillow's bundled
    font has no U+2022 glyph."""
    font = load_font(24, font_path)
    tail = "Contributor Leaderboard"
    gap = font.getlength(" ") * 2 + 12
    org = fit_text(org, font, inner - gap - font.getlength(tail))
    total = font.getlength(org) + gap + font.getlength(tail)
    x = cx - total / 2
    _text(canvas, (x, y), org, 24, font_path, FOOTER, "lt")
    dot_x = x + font.getlength(org) + gap / 2
    _, x_top, _, x_bottom = font.getbbox("x", anchor="lt")
    dot_y = y + (x_top + x_bottom) / 2
    dot = Image.new("L", (28, 28), 0)
    ImageDraw.Draw(dot).ellipse((0, 0, 27, 27), fill=255)
    _paste_level(
        canvas,
        dot.resize((7, 7), Image.Resampling.LANCZOS),
        (round(dot_x - 3.5), round(dot_y - 3.5)),
        FOOTER,
    )
    _text(canvas, (x + font.getlength(org) + gap, y), tail, 24, font_path, FOOTER, "lt")


def card_key(card: OgCard, font_digest: str) -> str:
    """Content hash of everything that changes the pixels (not the output path)."""
    h = hashlib.sha256()
    for part in (RENDERER_VERSION, PIL.__version__, font_digest, *astuple(card)[1:6]):
        h.update(str(part).encode("utf-8") + b"\0")
    h.update(hashlib.sha256(card.avatar or b"").digest())
    return h.hexdigest()


def _render_job(args: tuple[OgCard, str | None]) -> bytes:
    return render_og_image(*args)


def _render_to_cache(job: tuple[OgCard, str | None, Path, Place | None]) -> Any:
    """Render one card into the cache (the image travels by file, never by pipe or memory),
    and into the site through `place` when given: what `place` returns goes back to the
    parent (a few bytes, never the image)."""
    card, font_path, path, place = job
    data = _render_job((card, font_path))
    replace_file(path, data)
    return None if place is None else place(card.relpath, data)


def _warm(cards: Sequence[OgCard], font_path: str | None) -> None:
    """Load the fonts and draw what every card shares before `fork_map` forks, so that both
    processes start from them instead of each building them again."""
    _palette()
    for size in (20, 24, 32, 48, 56, 72):
        load_font(size, font_path)
    for org in sorted({c.org_name for c in cards}):
        for picture in (False, True):
            _start(org, font_path, picture)
    for label in ("Total Points", "Activities"):
        _text_mask(label, 20, font_path, "mt", False)
    _circle_mask(AVATAR + 2 * BORDER)
    _solid_circle(AVATAR)


def render_og_images(
    cards: Sequence[OgCard],
    *,
    write: Write,
    cache_dir: Path,
    font_path: str | None = None,
    place: Place | None = None,
    record: Callable[[str, Any], Any] | None = None,
) -> OgStats:
    """Write every card through `write(relpath, png)`, rendering only cache misses.

    The cache lives in `<cache dir>/og/<content hash>.png`. Misses are rendered on every core
    by `fork_map` (the project's one process mechanism: the fonts and shared layers are inherited,
    not loaded again); each process writes its images straight into the cache, so no image is
    held in memory or sent through a pipe (CORE-80 peak memory). Output order is the cards'
    order by relpath.

    With `place` and `record` (the site writer's two halves), a card rendered now is put in
    the site by the process that drew it, `place(relpath, png)`, and the parent only
    `record`s what that returned: reading every image back from the cache and writing it in
    the parent was a serial tail after the drawing, with the other core idle.
    """
    stats = OgStats()
    digest = font_digest(font_path)
    keyed = [(card, card_key(card, digest)) for card in sorted(cards, key=lambda c: c.relpath)]
    seen: set[str] = set()
    misses: list[tuple[OgCard, str | None, Path, Place | None]] = []
    placing = place if record is not None else None
    for card, key in keyed:
        if key in seen:
            continue
        seen.add(key)  # an identical card later on is the same file
        path = cache_dir / "og" / f"{key}.png"
        if path.exists():
            stats.cached += 1
        else:
            misses.append((card, font_path, path, placing))
    placed: dict[str, Any] = {}
    if misses:
        _warm([card for card, *_ in misses], font_path)
        jobs = fork_map(_render_to_cache, misses, min_weight=IN_PROCESS_LIMIT)
        for (card, *_), result in zip(misses, jobs, strict=True):
            stats.rendered += 1
            if placing is not None:
                placed[card.relpath] = result
    for card, key in keyed:
        if card.relpath in placed and record is not None:
            record(card.relpath, placed.pop(card.relpath))
        else:
            write(card.relpath, (cache_dir / "og" / f"{key}.png").read_bytes())
        stats.written.append(card.relpath)
    return stats


def build_stage(state: BuildState) -> None:
    """Builder step (WEB-02 step 7): `<u>/opengraph-image.png` for every contributor, using the
    pictures the avatar step processed (`state.avatars`: downloaded or cached, never the
    generated fallbacks) when present; without one the card shows the initials disc."""
    assert state.public is not None and state.urls is not None and state.writer is not None
    o = state.options
    db = state.public
    avatars = state.avatars
    end = canonical(o.now)
    totals = state.totals  # the JSON API's, when it was built
    if totals is None:
        totals = activities.totals_by_contributor(db, end=end, active_days=False)
    cards = []
    model = state.model
    for r in db.query("SELECT username, name FROM contributor ORDER BY username"):
        user = r["username"]
        if model is not None and not model.has_media(user):
            continue  # the organisation's card stands in (WEB-64, `site.media`)
        total = totals.get(user) or ContributorTotals()
        points, count = total.points, total.activity_count
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
    writer = state.writer

    def place(rel: str, data: bytes) -> tuple[str, bool, Stat | None]:
        return write_known(writer.previous, writer.root, safe_rel(rel), data)

    def record(rel: str, placed: tuple[str, bool, Stat | None]) -> None:
        writer.record(rel, *placed)

    stats = render_og_images(
        cards,
        write=writer.write,
        cache_dir=o.effective_cache_dir,
        font_path=str(Path(o.data_dir) / font) if font else None,
        place=place,
        record=record,
    )
    o.logger.info("Open Graph images: %d rendered, %d cached", stats.rendered, stats.cached)
