"""WEB-09: avatar processing (square crop, WebP), cache by URL, fallbacks from the sha256 rule."""

from __future__ import annotations

import colorsys
import hashlib
import http.server
import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from PIL import Image

from leaderboard.site import avatars as av


def _png(width: int, height: int, colours: list[tuple[int, int, int]]) -> bytes:
    """Vertical stripes of equal width."""
    image = Image.new("RGB", (width, height))
    stripe = width // len(colours)
    for i, colour in enumerate(colours):
        image.paste(colour, (i * stripe, 0, (i + 1) * stripe, height))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    return image.convert("RGBA")


def test_web_09_process_centre_crops_to_square_webp() -> None:
    wide = _png(300, 100, [(255, 0, 0), (0, 200, 0), (0, 0, 255)])
    image = _open(av.process_avatar(wide))
    assert image.size == (256, 256)
    r, g, b, a = image.getpixel((128, 128))  # type: ignore[misc]
    assert g > 150 and r < 60 and b < 60 and a == 255  # the middle stripe survived the crop
    corner = image.getpixel((2, 2))
    assert corner[1] > 150  # type: ignore[index]
    assert b"EXIF" not in av.process_avatar(wide)


def test_web_09_undecodable_and_svg_without_extra() -> None:
    with pytest.raises(av.AvatarError):
        av.process_avatar(b"not an image")
    try:
        import cairosvg  # noqa: F401
    except ImportError:
        with pytest.raises(av.AvatarError, match="svg"):
            av.process_avatar(b'<svg xmlns="http://www.w3.org/2000/svg"/>')


def test_web_09_fallback_colour_rule() -> None:
    for name in ("alice", "bob", "dependabot[bot]", "ü"):
        first = hashlib.sha256(name.encode()).digest()[0]
        r, g, b = colorsys.hls_to_rgb(first * 360 / 256 / 360, 0.55, 0.45)
        assert av.fallback_colour(name) == (round(r * 255), round(g * 255), round(b * 255))
    assert av.fallback_colour("alice") == (191, 192, 89)


def test_web_09_fallback_image() -> None:
    data = av.fallback_avatar("alice", "alice smith")
    image = _open(data)
    assert image.size == (256, 256)
    # lossless: the background is exactly the WEB-09 colour everywhere outside the initials
    assert image.getpixel((5, 5))[:3] == (191, 192, 89)  # type: ignore[index]
    assert image.getpixel((250, 128))[:3] == (191, 192, 89)  # type: ignore[index]
    whites = sum(
        1
        for x in range(0, 256, 2)
        for y in range(0, 256, 2)
        if min(image.getpixel((x, y))[:3]) > 240  # type: ignore[index]
    )
    assert whites > 100  # the initials are drawn
    assert av.fallback_avatar("alice", "alice smith") == data  # deterministic
    assert av.initials("  ada lovelace") == "AD"


def test_web_09_mask_url() -> None:
    assert av.mask_url("https://x.example/a.png?token=secret#f") == "https://x.example/a.png?***"
    assert av.mask_url("https://x.example/a.png") == "https://x.example/a.png"


class _Server:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.image = _png(64, 64, [(10, 20, 30)])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(str(request.url))
        path = request.url.path
        if path == "/redirect.png":
            return httpx.Response(302, headers={"location": "https://img.example/ok.png"})
        if path == "/ok.png":
            return httpx.Response(200, content=self.image)
        if path == "/huge.png":
            return httpx.Response(200, content=b"x" * (av.MAX_BYTES + 1))
        return httpx.Response(404)


def _run(
    tmp_path: Path, server: _Server, requests: list[av.AvatarRequest], **kw: object
) -> tuple[av.AvatarStats, dict[str, bytes], list[str]]:
    written: dict[str, bytes] = {}
    warnings: list[str] = []
    client = httpx.Client(transport=httpx.MockTransport(server))
    stats = av.build_avatars(
        requests,
        write=written.__setitem__,
        cache_dir=tmp_path / "cache",
        data_dir=tmp_path / "data",
        client=client,
        warn=warnings.append,
        **kw,  # type: ignore[arg-type]
    )
    return stats, written, warnings


REQUESTS = [
    av.AvatarRequest("alice", "Alice", "https://img.example/ok.png"),
    av.AvatarRequest("bob", "Bob", "https://img.example/redirect.png"),
    av.AvatarRequest("carol", "Carol", "https://img.example/missing.png?sig=abc"),
    av.AvatarRequest("contributor-1a2b3c4d", "contributor-1a2b3c4d", None),
    av.AvatarRequest("dave", "Dave", "https://img.example/huge.png"),
    av.AvatarRequest("erin", "Erin", "https://img.example/ok.png"),  # same URL, fetched once
]


def test_web_09_fetch_cache_and_rerun(tmp_path: Path) -> None:
    server = _Server()
    stats, written, warnings = _run(tmp_path, server, REQUESTS)
    assert stats.summary() == "Avatars: 2 downloaded, 0 cached, 3 generated, 2 failed"
    # the generated ones are named: the OG cards draw the initials disc for them (WEB-45)
    assert stats.drawn == {"carol", "contributor-1a2b3c4d", "dave"}
    assert sorted(written) == [
        f"avatars/{u}.webp"
        for u in ("alice", "bob", "carol", "contributor-1a2b3c4d", "dave", "erin")
    ]
    assert written["avatars/alice.webp"] == written["avatars/erin.webp"]
    assert _open(written["avatars/bob.webp"]).size == (256, 256)
    assert server.calls.count("https://img.example/ok.png") == 2  # alice/erin once + bob's redirect
    assert any("missing.png?***" in w and "HTTP 404" in w for w in warnings)
    assert any("huge.png" in w and "5 MiB" in w for w in warnings)
    assert all("sig=abc" not in w for w in warnings)
    key = hashlib.sha256(b"https://img.example/ok.png").hexdigest()
    assert (tmp_path / "cache" / "avatars" / f"{key}.webp").exists()

    server.calls.clear()
    stats2, written2, _ = _run(tmp_path, server, REQUESTS)
    assert stats2.cached == 2 and stats2.downloaded == 0
    assert written2 == written
    assert "https://img.example/ok.png" not in server.calls  # cache hit, no request

    server.calls.clear()
    stats3, _, _ = _run(tmp_path, server, REQUESTS[:1], refresh=True)
    assert stats3.downloaded == 1 and server.calls == ["https://img.example/ok.png"]


def test_web_09_offline_never_touches_the_network(tmp_path: Path) -> None:
    server = _Server()
    stats, written, _ = _run(tmp_path, server, REQUESTS[:2], offline=True)
    assert server.calls == []
    assert stats.generated == 2 and stats.failed == 0 and len(written) == 2


def test_web_09_none_and_remote_modes(tmp_path: Path) -> None:
    server = _Server()
    stats, written, _ = _run(tmp_path, server, REQUESTS[:1] + REQUESTS[3:4], mode="none")
    assert server.calls == [] and stats.generated == 2 and len(written) == 2
    stats, written, _ = _run(tmp_path, server, REQUESTS[:1] + REQUESTS[3:4], mode="remote")
    assert server.calls == [] and list(written) == ["avatars/contributor-1a2b3c4d.webp"]
    assert av.avatar_href(
        lambda p: "https://s.example/" + p, "remote", "alice", "https://img.example/a.png"
    ) == ("https://img.example/a.png")
    assert av.avatar_href(
        lambda p: "https://s.example/" + p, "cache", "a[b]", "https://img.example/a.png"
    ) == ("https://s.example/avatars/a%5Bb%5D.webp")


def test_web_09_local_path_confined_to_data_dir(tmp_path: Path) -> None:
    (tmp_path / "data" / "assets").mkdir(parents=True)
    (tmp_path / "data" / "assets" / "me.png").write_bytes(_png(40, 80, [(0, 0, 255)]))
    (tmp_path / "secret.png").write_bytes(_png(10, 10, [(1, 1, 1)]))
    server = _Server()
    requests = [
        av.AvatarRequest("local", "Local", "/assets/me.png"),
        av.AvatarRequest("escape", "Escape", "/../secret.png"),
    ]
    stats, written, warnings = _run(tmp_path, server, requests)
    assert _open(written["avatars/local.webp"]).getpixel((128, 128))[2] > 200  # type: ignore[index]
    assert stats.failed == 1 and "leaves the data directory" in warnings[0]
    stats2, _, _ = _run(tmp_path, server, requests[:1])
    assert stats2.cached == 1


# ---------------------------------------------------------------- unreachable hosts (CORE-80)


class _ImageHandler(http.server.BaseHTTPRequestHandler):
    """Serves one PNG for any path, slowly enough to show whether requests overlap."""

    image = _png(32, 32, [(200, 10, 10)])
    lock = threading.Lock()
    in_flight = 0
    most_in_flight = 0
    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
            cls.paths.append(self.path)
        time.sleep(0.05)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.image)))
        self.end_headers()
        self.wfile.write(self.image)
        with cls.lock:
            cls.in_flight -= 1

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def image_server() -> Iterator[tuple[str, type[_ImageHandler]]]:
    handler = type("Handler", (_ImageHandler,), {"paths": [], "lock": threading.Lock()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def refusing_port() -> int:
    """A 127.0.0.1 port nobody listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def hanging_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A 127.0.0.1 port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1]), accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def _people(base: str, count: int, prefix: str = "u") -> list[av.AvatarRequest]:
    return [
        av.AvatarRequest(f"{prefix}{i:03d}", f"Person {i}", f"{base}/u/{i}.png?s=64")
        for i in range(count)
    ]


def _build(tmp_path: Path, requests: list[av.AvatarRequest]) -> tuple[av.AvatarStats, list[str]]:
    warnings: list[str] = []
    written: dict[str, bytes] = {}
    with httpx.Client() as client:
        stats = av.build_avatars(
            requests,
            write=written.__setitem__,
            cache_dir=tmp_path / "cache",
            data_dir=tmp_path / "data",
            client=client,
            warn=warnings.append,
        )
    assert len(written) == len(requests)  # everybody has an avatar, generated or downloaded
    return stats, warnings


def test_core_80_refused_connections_stop_downloads_with_one_warning(
    tmp_path: Path, refusing_port: int, image_server: tuple[str, type[_ImageHandler]]
) -> None:
    base, _ = image_server
    dead = f"http://127.0.0.1:{refusing_port}"
    requests = _people(dead, 200) + _people(base, 30, prefix="w")
    stats, warnings = _build(tmp_path, requests)
    assert stats.downloaded == 30  # another host that answers is not affected
    assert stats.failed == 200 and stats.generated == 200
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"Avatar downloads from {dead} stopped: the host is unreachable")
    assert "ConnectError" in warnings[0]
    assert "200 avatars use generated images" in warnings[0]


def test_core_80_hanging_host_is_given_up_after_the_first_requests(
    tmp_path: Path,
    hanging_server: tuple[int, list[socket.socket]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(av, "READ_TIMEOUT", 0.5)  # the default (5 s) is what a build waits
    port, accepted = hanging_server
    stats, warnings = _build(tmp_path, _people(f"http://127.0.0.1:{port}", 300))
    assert stats.failed == 300 and stats.generated == 300
    # Only the requests already in flight when the host was given up were ever made.
    assert len(accepted) <= av.CONCURRENCY + av.STOP_AFTER
    assert len(warnings) == 1 and "ReadTimeout" in warnings[0]
    assert "300 avatars use generated images" in warnings[0]


def test_core_80_reachable_host_downloads_concurrently_then_from_cache(
    tmp_path: Path, image_server: tuple[str, type[_ImageHandler]]
) -> None:
    base, handler = image_server
    requests = _people(base, 40)
    stats, warnings = _build(tmp_path, requests)
    assert (stats.downloaded, stats.failed, warnings) == (40, 0, [])
    assert handler.most_in_flight > 1  # concurrent
    assert len(handler.paths) == 40
    stats, _ = _build(tmp_path, requests)
    assert (stats.cached, stats.downloaded, len(handler.paths)) == (40, 0, 40)


def test_core_80_one_failure_does_not_stop_a_host() -> None:
    breaker = av.HostBreaker(stop_after=3)
    url = "https://user:secret@img.example/a.png"
    for _ in range(2):
        breaker.record(url, av.Unreachable("ConnectError"))
    breaker.record(url, av.AvatarError("HTTP 404"))  # an answer: the host is up
    breaker.record(url, av.Unreachable("ConnectError"))
    assert breaker.allows(url)
    breaker.record(url, av.Unreachable("ConnectError"))
    breaker.record(url, av.Unreachable("ConnectError"))
    assert not breaker.allows("https://img.example/b.png")
    assert breaker.allows("https://other.example/a.png")
    assert list(breaker.stopped) == ["https://img.example"]  # no credentials in messages
