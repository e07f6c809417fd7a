"""The whole built fixture site equals the committed golden copy (WEB-62, CORE-81).

On an intended change run `make update-golden` and review the diff.

Every file is compared byte for byte except raster images (the generated WebP avatars): their
bytes are the encoder's (Pillow's libwebp, lossless at its fastest effort), which changes between
versions without the site changing. They are compared by what they show — same format, size and mode, and decoded
pixels within `IMAGE_TOLERANCE` (mean absolute difference per channel, of 255) — so a newer
Pillow passes while another colour, letter or size fails. The golden keeps the real files, so a
reviewer still sees them. (Pinning Pillow instead would force one version on every user.)
"""

from __future__ import annotations

import difflib
import io
from pathlib import Path

from PIL import Image, ImageChops, ImageStat
from update_golden import GOLDEN, build_fixture_site

IMAGES = (".webp", ".png", ".jpg", ".jpeg")
# Another lossless encoder run shows the same pixels; a lossy re-encode at q95 differs by about
# 1.5 on average in one channel, another avatar by tens.
IMAGE_TOLERANCE = 1.0


def same_image(a: bytes, b: bytes) -> bool:
    """Do two encoded images show the same picture (see the module docstring)?"""
    first, second = Image.open(io.BytesIO(a)), Image.open(io.BytesIO(b))
    if (first.format, first.size, first.mode) != (second.format, second.size, second.mode):
        return False
    diff = ImageChops.difference(first.convert("RGBA"), second.convert("RGBA"))
    return max(ImageStat.Stat(diff).mean) <= IMAGE_TOLERANCE


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_web_62_site_matches_golden(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_fixture_site(out, tmp_path)
    built, golden = _files(out), _files(GOLDEN)
    assert sorted(built) == sorted(golden), "file set differs: run make update-golden"
    for rel in sorted(golden):
        if rel.endswith(IMAGES) and same_image(built[rel], golden[rel]):
            continue
        if built[rel] != golden[rel]:
            diff = "\n".join(
                list(
                    difflib.unified_diff(
                        golden[rel].decode("utf-8", "replace").splitlines(),
                        built[rel].decode("utf-8", "replace").splitlines(),
                        f"golden/{rel}",
                        f"built/{rel}",
                        lineterm="",
                        n=1,
                    )
                )[:40]
            )
            raise AssertionError(f"{rel} differs from golden (run make update-golden):\n{diff}")


def test_images_are_compared_by_what_they_show() -> None:
    avatars = sorted((GOLDEN / "avatars").glob("*.webp"))
    assert len(avatars) >= 2
    original = avatars[0].read_bytes()
    reencoded = io.BytesIO()
    Image.open(io.BytesIO(original)).save(reencoded, format="WEBP", lossless=True, method=0)
    assert reencoded.getvalue() != original
    assert same_image(reencoded.getvalue(), original)  # another encoder run: same picture
    assert not same_image(avatars[1].read_bytes(), original)  # another avatar
    smaller = io.BytesIO()
    Image.open(io.BytesIO(original)).resize((128, 128)).save(smaller, format="WEBP")
    assert not same_image(smaller.getvalue(), original)


def test_every_icon_of_the_site_is_in_its_sprite() -> None:
    """Every icon a golden page draws is a symbol of `static/icons.svg` (WEB-63): the pages
    reference the chrome's icons from that one cached file, so a template icon missing from
    `icons.TEMPLATE_ICONS` would silently fall back to a copy on every page."""
    import re

    sprite = (GOLDEN / "static" / "icons.svg").read_text("utf-8")
    held = set(re.findall(r'<symbol id="i-([\w-]+)"', sprite))
    drawn: set[str] = set()
    for page in GOLDEN.rglob("*.html"):
        html = page.read_text("utf-8")
        drawn |= set(re.findall(r'data-icon="([\w-]+)"', html))
        drawn |= set(re.findall(r'<use href="[^"#]*#i-([\w-]+)"', html))
    assert drawn and drawn <= held, sorted(drawn - held)
