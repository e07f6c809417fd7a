"""WEB-45 / CORE-80: Open Graph images — 1200×630 PNG, deterministic, cached by content."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from leaderboard.site import og
from leaderboard.site.avatars import fallback_avatar


def _card(name: str = "Alice", **kw: object) -> og.OgCard:
    fields: dict[str, object] = {
        "relpath": f"{name.lower()}/opengraph-image.png",
        "display_name": name,
        "username": name.lower(),
        "points": 1234,
        "activities": 56,
        "org_name": "Example Org",
    }
    fields.update(kw)
    return og.OgCard(**fields)  # type: ignore[arg-type]


def test_web_45_size_format_and_colours() -> None:
    data = og.render_og_image(_card())
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (1200, 630)
    rgb = image.convert("RGB")
    assert rgb.getpixel((0, 0)) == og.TOP_COLOUR  # gradient towards the bottom-right
    assert rgb.getpixel((1199, 629)) == og.BOTTOM_COLOUR
    # no avatar: a #3b82f6 disc in the middle of the avatar area
    outer = og.AVATAR + 2 * og.BORDER
    heights = sum([outer, 28, 64, 12, 40, 36, 56, 12, 24, 40, 30])
    top = int((630 - heights) / 2)
    assert rgb.getpixel((600 - 60, top + outer // 2)) == og.BLUE


def test_web_45_avatar_is_drawn_and_output_deterministic() -> None:
    avatar = fallback_avatar("zed", "Zed")
    a = og.render_og_image(_card(avatar=avatar))
    assert a == og.render_og_image(_card(avatar=avatar))
    assert a != og.render_og_image(_card())


def test_web_45_long_text_is_truncated_to_fit() -> None:
    font = og.load_font(56, None)
    long = "A very long display name " * 5
    cut = og.fit_text(long, font, 1080)
    assert cut.endswith("…") and font.getlength(cut) <= 1080
    assert og.fit_text("Short", font, 1080) == "Short"
    og.render_og_image(_card(long))  # renders without error


def test_core_80_cache_hit_on_rerun(tmp_path: Path) -> None:
    cards = [_card(f"User{i}", points=i) for i in range(10)]  # ≥ IN_PROCESS_LIMIT → forked
    written: dict[str, bytes] = {}
    stats = og.render_og_images(cards, write=written.__setitem__, cache_dir=tmp_path)
    assert (stats.rendered, stats.cached) == (10, 0)
    assert sorted(written) == sorted(c.relpath for c in cards)
    assert written["user3/opengraph-image.png"] == og.render_og_image(cards[3])

    again: dict[str, bytes] = {}
    stats2 = og.render_og_images(cards, write=again.__setitem__, cache_dir=tmp_path)
    assert (stats2.rendered, stats2.cached) == (0, 10)
    assert again == written

    changed = [*cards[:9], _card("User9", points=999)]
    stats3 = og.render_og_images(changed, write=again.__setitem__, cache_dir=tmp_path)
    assert (stats3.rendered, stats3.cached) == (1, 9)


def test_core_80_images_travel_by_the_cache_in_relpath_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meet_other_process: Callable[[], None]
) -> None:
    """Each image is drawn once into the cache (nothing is held in memory or piped back), both
    processes share the work (fork_map), and `write` gets every card in relpath order; an
    identical card is drawn once."""
    pids: dict[str, int] = {}

    def draw(args: tuple[og.OgCard, str | None]) -> bytes:
        meet_other_process()
        return f"{args[0].username} by {os.getpid()}".encode()

    written: list[tuple[str, str]] = []
    monkeypatch.setattr(og, "_render_job", draw)
    twin = _card("Bob", relpath="twin/opengraph-image.png")
    cards = [_card(f"User{i:02d}") for i in range(20)] + [_card("Bob"), twin]
    stats = og.render_og_images(
        cards, write=lambda rel, data: written.append((rel, data.decode())), cache_dir=tmp_path
    )
    assert [rel for rel, _ in written] == sorted(c.relpath for c in cards)
    assert (stats.rendered, stats.cached, len(stats.written)) == (21, 0, 22)
    assert dict(written)["twin/opengraph-image.png"] == dict(written)["bob/opengraph-image.png"]
    for rel, text in written:
        name, _, pid = text.partition(" by ")
        assert name == ("bob" if rel.startswith("twin/") else rel.split("/")[0])
        pids[rel] = int(pid)
    assert os.getpid() in pids.values() and len(set(pids.values())) == 2  # on both cores
    assert len(list((tmp_path / "og").glob("*.png"))) == 21


def test_core_80_drawing_process_places_its_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meet_other_process: Callable[[], None]
) -> None:
    """With `place`/`record`, a card drawn now is put in the site by the process that drew
    it (both processes place some) and the parent records what `place` returned, in relpath
    order; a cached card and an identical twin still go through `write`."""

    def draw(args: tuple[og.OgCard, str | None]) -> bytes:
        meet_other_process()
        return f"{args[0].username}".encode()

    monkeypatch.setattr(og, "_render_job", draw)
    twin = _card("Bob", relpath="twin/opengraph-image.png")
    cards = [_card(f"User{i:02d}") for i in range(20)] + [_card("Bob"), twin]
    events: list[tuple[str, str, object]] = []

    def place(rel: str, data: bytes) -> tuple[int, bytes]:
        return os.getpid(), data

    stats = og.render_og_images(
        cards,
        write=lambda rel, data: events.append(("write", rel, data)),
        cache_dir=tmp_path,
        place=place,
        record=lambda rel, placed: events.append(("record", rel, placed)),
    )
    assert [rel for _, rel, _ in events] == sorted(c.relpath for c in cards)
    assert stats.rendered == 21 and len(stats.written) == 22
    kinds = {rel: kind for kind, rel, _ in events}
    assert kinds["twin/opengraph-image.png"] == "write"  # the twin's image was drawn as bob's
    assert sum(kind == "record" for kind in kinds.values()) == 21
    pids = {placed[0] for kind, _, placed in events if kind == "record"}  # type: ignore[index]
    assert os.getpid() in pids and len(pids) == 2  # placed on both cores
    for kind, rel, value in events:
        if kind == "record":
            assert value[1] == rel.split("/")[0].encode()  # type: ignore[index]

    events.clear()  # all cached now: every card is written by the parent
    stats = og.render_og_images(
        cards,
        write=lambda rel, data: events.append(("write", rel, data)),
        cache_dir=tmp_path,
        place=place,
        record=lambda rel, placed: events.append(("record", rel, placed)),
    )
    assert (stats.rendered, stats.cached) == (0, 21)
    assert [kind for kind, _, _ in events] == ["write"] * 22


def test_core_80_forked_images_equal_images_drawn_here(tmp_path: Path) -> None:
    cards = [
        _card(f"User{i}", points=i * 997, avatar=fallback_avatar(f"u{i}", f"U {i}"))
        for i in range(12)
    ]
    written: dict[str, bytes] = {}
    og.render_og_images(cards, write=written.__setitem__, cache_dir=tmp_path)
    assert all(written[c.relpath] == og.render_og_image(c) for c in cards)


def test_core_80_palette_png_with_exact_colours() -> None:
    """An 8-bit palette PNG: the gradient's colours and the text colours are exact, and the
    palette holds the avatar's colours too."""
    avatar = fallback_avatar("zed", "Zed")
    image = Image.open(io.BytesIO(og.render_og_image(_card(avatar=avatar))))
    assert image.mode == "P"
    assert image.convert("RGB").tobytes()[: 3 * 1200] == og._background().tobytes()[: 3 * 1200]
    colours = {c for _, c in image.convert("RGB").getcolors(4096) or []}
    assert {og.WHITE, og.BLUE, og.MUTED, og.FOOTER, og.TOP_COLOUR} <= colours
    face = Image.open(io.BytesIO(avatar)).convert("RGB").getpixel((128, 128))
    nearest = min(sum(abs(a - b) for a, b in zip(c, face, strict=True)) for c in colours)
    assert nearest <= 12  # the avatar's own colour survived quantisation


def test_core_80_cache_key_covers_pixels_not_path() -> None:
    a = og.card_key(_card(), "default")
    assert a == og.card_key(_card(relpath="people/alice/opengraph-image.png"), "default")
    assert a != og.card_key(_card(points=1), "default")
    assert a != og.card_key(_card(avatar=b"x"), "default")
    assert a != og.card_key(_card(), "other-font")


def test_web_45_custom_font(tmp_path: Path) -> None:
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    if not font.exists():
        return
    data = og.render_og_image(_card(), str(font))
    assert Image.open(io.BytesIO(data)).size == (1200, 630)
    assert data != og.render_og_image(_card())


def test_core_80_banded_png_shows_exactly_the_canvas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bands no paste touched reuse the starting canvas's deflated bytes: the file must still
    decode (zlib's Adler-32 and every chunk CRC checked) to exactly the canvas and palette that
    were drawn, for cards with and without a picture and with texts at every height."""
    import zlib

    drawn: list[tuple[og.Canvas, list[int]]] = []
    encode = og.encode_png

    def spy(canvas: og.Canvas, colours: list[int], start: og._Start) -> bytes:
        drawn.append((canvas, colours))
        return encode(canvas, colours, start)

    monkeypatch.setattr(og, "encode_png", spy)
    cards = [
        _card(),
        _card("A very long display name that will be cut " * 3, points=10**9),
        _card("Zed", avatar=fallback_avatar("zed", "Zed")),
        _card("Émile", org_name="Another Org", activities=0, points=0),
    ]
    for card in cards:
        data = og.render_og_image(card)
        canvas, colours = drawn[-1]
        image = Image.open(io.BytesIO(data))
        image.load()
        assert image.mode == "P" and image.size == (og.WIDTH, og.HEIGHT)
        expected = canvas.image.crop((1, 0, og.STRIDE, og.HEIGHT))
        assert image.tobytes() == expected.tobytes()
        assert (image.getpalette() or [])[: len(colours)] == colours
        assert 0 < len(canvas.touched) < len(og.BANDS)  # some bands reused, some drawn
        idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
        assert zlib.decompress(idat) == canvas.image.tobytes()  # checks the Adler-32 too


def test_core_80_adler32_combine() -> None:
    import zlib

    parts = [b"", b"a", bytes(range(256)) * 300, b"\xff" * 70_000, b"xyz"]
    for first in parts:
        for second in parts:
            combined = og.adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
            assert combined == zlib.adler32(first + second)


def test_core_80_canvas_records_the_bands_a_paste_touches() -> None:
    canvas = og.Canvas(Image.new("L", (og.STRIDE, og.HEIGHT), 0))
    mark, opaque = Image.new("L", (10, og.BAND + 1), 1), Image.new("L", (10, og.BAND + 1), 255)
    canvas.paste(mark, (5, og.BAND - 1), opaque)  # rows BAND-1 … 2*BAND-1: bands 0, 1
    assert canvas.touched == {0, 1}
    canvas.paste(mark, (5, og.HEIGHT + 3), opaque)  # below the card: nothing
    canvas.paste(mark, (5, -og.BAND - 5), opaque)  # above it: nothing
    assert canvas.touched == {0, 1}
    assert canvas.image.getpixel((6, og.BAND)) == 1  # shifted right past the filter byte
    assert canvas.image.getpixel((0, og.BAND)) == 0
