"""Avatars (WEB-09): fetch, process and cache `avatars/<username>.webp`, or generate a fallback.

The site never hot-links profile pictures by default: every listed contributor gets a local
256×256 WebP, so pages work offline and third-party hosts see no visitor traffic. Processed
images are cached by the sha256 of their URL, so a rebuild downloads nothing and a changed URL
is fetched again. Network access only goes through the injected `httpx.Client`.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from PIL import Image, ImageDraw, ImageFont

from leaderboard.forkmap import ForkMapJob, start_fork_map
from leaderboard.site.output import replace_file

if TYPE_CHECKING:
    from leaderboard.site.builder import BuildState
    from leaderboard.site.options import BuildOptions

SIZE = 256
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 15.0
# A host that does not answer is noticed within seconds, not after a 15 s wait per image:
# connecting and each read have short limits (avatar hosts answer within a second).
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
STOP_AFTER = 3  # consecutive connection errors on one host before its downloads stop
CONCURRENCY = 10
WEBP_QUALITY = 80
# Generated avatars are flat colour and white text: lossless WebP at its fastest effort keeps
# the WEB-09 colour exact and took 0.25-0.45x the CPU of lossy q80 (the encoder was 95% of a
# drawing's cost; 1,500 of them on a first build), at about the same size (1.4 KB).
FALLBACK_WEBP = {"lossless": True, "method": 1, "quality": 0}
PARALLEL_MIN = 64  # fewer drawings than this are not worth forking for

Write = Callable[[str, bytes], Any]
Warn = Callable[[str], None]


class AvatarError(Exception):
    """A fetch or decode failure (the avatar falls back to a generated image)."""


# ---------------------------------------------------------------- pure image functions


def _encode_webp(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # exif/icc/xmp omitted: no metadata leaks from the source image.
    image.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def _is_svg(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith(b"<svg") or (
        head.startswith(b"<?xml") and b"<svg" in data[:2048].lower()
    )


def _rasterise_svg(data: bytes) -> bytes:
    try:
        import cairosvg
    except ImportError:
        raise AvatarError(
            "SVG avatar needs the 'svg' extra (pip install 'contributor-leaderboard[svg]')"
        ) from None
    try:
        png: bytes = cairosvg.svg2png(bytestring=data, output_width=SIZE, output_height=SIZE)
    except Exception as exc:  # cairosvg raises many types for bad input
        raise AvatarError(f"cannot rasterise SVG: {exc}") from None
    return png


def process_avatar(data: bytes) -> bytes:
    """Decode, convert to RGBA, centre-crop to a square, resize to 256×256 (Lanczos), WebP q80."""
    if _is_svg(data):
        data = _rasterise_svg(data)
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.seek(0)  # first frame of animations
            image = source.convert("RGBA")
    except Exception as exc:  # Pillow raises several types for undecodable input
        raise AvatarError(f"cannot decode image: {exc}") from None
    w, h = image.size
    side = min(w, h)
    if side == 0:
        raise AvatarError("empty image")
    left, top = (w - side) // 2, (h - side) // 2
    square = image.crop((left, top, left + side, top + side))
    return _encode_webp(square.resize((SIZE, SIZE), Image.Resampling.LANCZOS))


def fallback_colour(username: str) -> tuple[int, int, int]:
    """Hue = first byte of sha256(username) × 360 / 256; HSL saturation 45 %, lightness 55 %."""
    hue = hashlib.sha256(username.encode("utf-8")).digest()[0] * 360 / 256
    r, g, b = colorsys.hls_to_rgb(hue / 360, 0.55, 0.45)
    return round(r * 255), round(g * 255), round(b * 255)


def initials(display_name: str) -> str:
    """The first two characters of the display name, upper-cased."""
    return display_name.strip()[:2].upper()


@lru_cache(maxsize=32)
def load_font(size: int, path: str | None) -> ImageFont.FreeTypeFont:
    """Pillow's bundled font (or `site.og_font`) at `size`, shared by avatars and OG images."""
    basic = ImageFont.Layout.BASIC  # no raqm: identical glyph placement on every machine
    if path:
        return ImageFont.truetype(path, size, layout_engine=basic)
    default = ImageFont.load_default(size)
    if not isinstance(default, ImageFont.FreeTypeFont):
        raise RuntimeError("Pillow was built without FreeType; set site.og_font to a TTF file")
    return default.font_variant(layout_engine=basic)


def fallback_avatar(username: str, display_name: str, font_path: str | None = None) -> bytes:
    """A 256×256 lossless WebP (`FALLBACK_WEBP`): solid colour from the username, white
    initials centred; opaque, so drawn without an alpha channel."""
    image = Image.new("RGB", (SIZE, SIZE), fallback_colour(username))
    text = initials(display_name or username)
    if text:
        draw = ImageDraw.Draw(image)
        draw.text(
            (SIZE / 2, SIZE / 2),
            text,
            fill=(255, 255, 255),
            font=load_font(104, font_path),
            anchor="mm",
        )
    out = io.BytesIO()
    image.save(out, format="WEBP", **FALLBACK_WEBP)
    return out.getvalue()


# ---------------------------------------------------------------- URLs and cache


def mask_url(url: str) -> str:
    """The URL with its query string masked, for logs (tokens often travel there)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="***" if parts.query else "", fragment=""))


def cache_path(cache_dir: Path, key: str) -> Path:
    """`<cache dir>/avatars/<sha256 of key>.webp`."""
    return cache_dir / "avatars" / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()}.webp"


def _local_file(data_dir: Path, url: str) -> bytes:
    """A `/`-path avatar read from the data dir (confined to it; symlinks out are refused)."""
    root = data_dir.resolve()
    target = (data_dir / url.lstrip("/")).resolve()
    if root not in target.parents:
        raise AvatarError(f"avatar path {url} leaves the data directory")
    try:
        return target.read_bytes()
    except OSError as exc:
        raise AvatarError(f"cannot read {url}: {exc.strerror}") from None


class Unreachable(AvatarError):
    """The host could not be reached (connection refused or failed, no response in time): the
    kind of failure that says nothing about this image and everything about the next ones."""


def fetch(client: httpx.Client, url: str) -> bytes:
    """GET with redirects and a 5 MiB cap; `Unreachable` when the host does not answer
    (3 s to connect, 5 s for each read)."""
    timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT, pool=TIMEOUT)
    try:
        with client.stream("GET", url, follow_redirects=True, timeout=timeout) as response:
            if response.status_code != 200:
                raise AvatarError(f"HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                raise AvatarError("larger than 5 MiB")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise AvatarError("larger than 5 MiB")
                chunks.append(chunk)
            return b"".join(chunks)
    except (httpx.ConnectError, httpx.TimeoutException) as exc:
        raise Unreachable(f"{type(exc).__name__}: {exc}") from None
    except httpx.HTTPError as exc:
        raise AvatarError(f"{type(exc).__name__}: {exc}") from None


class HostBreaker:
    """Stops downloads from a host once it has proved unreachable (CORE-80: a build with the
    network down must not wait on every avatar in turn).

    A host is given up for the rest of the build after `STOP_AFTER` connection errors in a row
    (any answer, even an HTTP error, resets the count); later URLs of that host are not
    requested. Thread-safe: the downloads run in a thread pool.
    """

    def __init__(self, stop_after: int = STOP_AFTER) -> None:
        self.stop_after = stop_after
        self._lock = threading.Lock()
        self._streak: dict[str, int] = {}
        self.stopped: dict[str, str] = {}  # host → the last connection error

    def allows(self, url: str) -> bool:
        with self._lock:
            return _host(url) not in self.stopped

    def record(self, url: str, error: AvatarError | None) -> None:
        host = _host(url)
        with self._lock:
            if not isinstance(error, Unreachable):
                self._streak[host] = 0
                return
            self._streak[host] = self._streak.get(host, 0) + 1
            if self._streak[host] >= self.stop_after:
                self.stopped.setdefault(host, str(error))


def _host(url: str) -> str:
    """`scheme://host[:port]` (never the user info a URL may carry)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


# ---------------------------------------------------------------- the build step


@dataclass(frozen=True, slots=True)
class AvatarRequest:
    """One listed contributor: `username` is the output name (the pseudonym for pseudonymous
    contributors, whose `avatar_url` must be None)."""

    username: str
    display_name: str
    avatar_url: str | None


@dataclass
class AvatarStats:
    downloaded: int = 0
    cached: int = 0
    generated: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # masked URLs with reasons
    written: list[str] = field(default_factory=list)  # relpaths handed to write()
    drawn: set[str] = field(default_factory=set)  # usernames whose file is a generated fallback

    def summary(self) -> str:
        return (
            f"Avatars: {self.downloaded} downloaded, {self.cached} cached, "
            f"{self.generated} generated, {self.failed} failed"
        )


def avatar_relpath(username: str) -> str:
    return f"avatars/{username}.webp"


def _usable_url(url: str | None) -> bool:
    if not url:
        return False
    if url.startswith("/") and not url.startswith("//"):
        return True
    return urlsplit(url).scheme in ("http", "https")


def build_avatars(
    requests: Sequence[AvatarRequest],
    *,
    write: Write,
    cache_dir: Path,
    data_dir: Path,
    mode: str = "cache",
    client: httpx.Client | None = None,
    offline: bool = False,
    refresh: bool = False,
    warn: Warn | None = None,
    font_path: str | None = None,
) -> AvatarStats:
    """Produce `avatars/<username>.webp` for every request through `write(relpath, data)`.

    `mode`: `cache` (fetch/process/cache), `remote` (only contributors without a usable URL get
    a generated file; pages use the remote URL), `none` (every avatar generated). Without a
    client, or `offline`, nothing is fetched: cache hits are used, the rest are generated.
    """
    stats = AvatarStats()
    sources: dict[str, bytes | None] = {}  # url → processed bytes (None = failed)
    wanted = sorted(
        {
            r.avatar_url
            for r in requests
            if r.avatar_url and mode == "cache" and _usable_url(r.avatar_url)
        }
    )
    to_fetch: list[str] = []
    for url in wanted:
        if url.startswith("/"):
            try:
                raw = _local_file(data_dir, url)
                key = f"{url}\0{hashlib.sha256(raw).hexdigest()}"
                path = cache_path(cache_dir, key)
                if path.exists() and not refresh:
                    sources[url] = path.read_bytes()
                    stats.cached += 1
                else:
                    sources[url] = process_avatar(raw)
                    replace_file(path, sources[url] or b"")
                    stats.downloaded += 1
            except AvatarError as exc:
                _fail(stats, warn, url, exc, sources)
            continue
        path = cache_path(cache_dir, url)
        if path.exists() and not refresh:
            sources[url] = path.read_bytes()
            stats.cached += 1
        elif client is None or offline:
            sources[url] = None  # generated below, not a failure
        else:
            to_fetch.append(url)

    if to_fetch and client is not None:
        _download(client, to_fetch, cache_dir, stats, warn, sources)

    chosen = [
        r
        for r in sorted(requests, key=lambda q: q.username)
        if not (mode == "remote" and _usable_url(r.avatar_url))
    ]
    generated = fallback_avatars(
        [r for r in chosen if (sources.get(r.avatar_url) if r.avatar_url else None) is None],
        cache_dir=cache_dir,
        font_path=font_path,
    )
    for r in chosen:
        data = sources.get(r.avatar_url) if r.avatar_url else None
        if data is None:
            data = generated[r.username]
            stats.generated += 1
            stats.drawn.add(r.username)
        relpath = avatar_relpath(r.username)
        write(relpath, data)
        stats.written.append(relpath)
    return stats


def _download(
    client: httpx.Client,
    urls: list[str],
    cache_dir: Path,
    stats: AvatarStats,
    warn: Warn | None,
    sources: dict[str, bytes | None],
) -> None:
    """Fetch and process `urls` concurrently into `sources` and the cache. Connection errors
    of a host that stops answering (`HostBreaker`) are reported in one warning per host instead
    of one per image; every image it did not deliver is generated."""
    breaker = HostBreaker()
    skipped = Unreachable("not requested")

    def job(url: str) -> tuple[str, bytes | AvatarError]:
        if not breaker.allows(url):
            return url, skipped
        try:
            data = fetch(client, url)
        except AvatarError as exc:
            breaker.record(url, exc)
            return url, exc
        breaker.record(url, None)
        try:
            return url, process_avatar(data)
        except AvatarError as exc:
            return url, exc

    unreachable: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(job, urls))  # all done: which hosts stopped is known
    for url, result in results:
        if isinstance(result, Unreachable) and _host(url) in breaker.stopped:
            sources[url] = None
            stats.failed += 1
            unreachable[_host(url)] = unreachable.get(_host(url), 0) + 1
        elif isinstance(result, AvatarError):
            _fail(stats, warn, url, result, sources)
        else:
            replace_file(cache_path(cache_dir, url), result)
            sources[url] = result
            stats.downloaded += 1
    for host, count in sorted(unreachable.items()):
        message = (
            f"Avatar downloads from {host} stopped: the host is unreachable "
            f"({breaker.stopped[host]}); {count} avatars use generated images"
        )
        stats.failures.append(message)
        if warn is not None:
            warn(message)


def _fallback_key(request: AvatarRequest, font_digest: str) -> str:
    """Everything a generated avatar's bytes depend on (the encoder, its version and settings
    too: a cache written with other settings must not be served)."""
    from PIL import __version__ as pil_version

    text = initials(request.display_name or request.username)
    encoding = ",".join(f"{k}={v}" for k, v in sorted(FALLBACK_WEBP.items()))
    return f"fallback\0{request.username}\0{text}\0{font_digest}\0{pil_version}\0{encoding}"


def _fallback_job(items: list[tuple[str, str, str | None]]) -> list[bytes]:
    return [fallback_avatar(u, n, f) for u, n, f in items]


def fallback_avatars(
    requests: Sequence[AvatarRequest], *, cache_dir: Path, font_path: str | None
) -> dict[str, bytes]:
    """username → generated avatar, cached like downloads (encoding 1,500 WebP images took
    seconds on every build); misses are drawn in parallel processes when there are many."""
    digest = font_digest(font_path)
    out: dict[str, bytes] = {}
    misses: list[tuple[AvatarRequest, Path]] = []
    for r in requests:
        path = cache_path(cache_dir, _fallback_key(r, digest))
        try:
            out[r.username] = path.read_bytes()
        except OSError:
            misses.append((r, path))
    items = [(r.username, r.display_name, font_path) for r, _ in misses]
    images = _draw_in_parallel(items)
    for (r, path), data in zip(misses, images, strict=True):
        replace_file(path, data)
        out[r.username] = data
    return out


def _draw_and_store(items: list[tuple[str, str, str | None, str]]) -> int:
    for username, name, font_path, path in items:
        replace_file(Path(path), fallback_avatar(username, name, font_path))
    return len(items)


def needs_fallback(
    request: AvatarRequest, *, mode: str, cache_dir: Path, offline: bool, refresh: bool
) -> bool:
    """Will `build_avatars` draw this contributor's avatar (no usable image to process)?"""
    url = request.avatar_url
    if mode == "none" or not url or not _usable_url(url):
        return True
    if mode == "remote" or url.startswith("/"):
        return False
    return offline and (refresh or not cache_path(cache_dir, url).exists())


class FallbackPrefetch:
    """Draws the generated avatars a build will need into the avatar cache, in forked processes
    (`start_fork_map`) started before the public DB is built (the costliest part of a first
    build's avatar step runs while the parent is busy with SQLite); `build_avatars` then finds
    them in the cache. `join` must be called before anything else forks."""

    def __init__(
        self,
        requests: Sequence[AvatarRequest],
        *,
        cache_dir: Path,
        font_path: str | None,
        wanted: Callable[[], frozenset[str] | None] | None = None,
    ) -> None:
        """`wanted()`, when given, names the only people to draw (None: all). It is asked by
        the drawing processes, once each, not by the parent: the parent is the critical path
        while the drawers run, and the question (one pass over the working DB's activities)
        cost it 1 s at 10x, on every rebuild too (the people left out are never cached)."""
        self.job: ForkMapJob[list[tuple[str, str, str | None, str]], int] | None = None
        digest = font_digest(font_path)
        items = []
        for r in requests:
            path = cache_path(cache_dir, _fallback_key(r, digest))
            if not path.exists():
                items.append((r.username, r.display_name, font_path, str(path)))
        workers = min(os.cpu_count() or 1, 4)
        if len(items) < PARALLEL_MIN or workers < 2 or not _can_fork():
            return
        size = -(-len(items) // (workers * 4))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        work = _draw_and_store if wanted is None else partial(_draw_wanted, _Once(wanted))
        self.job = start_fork_map(work, chunks, children=workers)

    def join(self) -> None:
        """Wait for the drawings (a failure only means `build_avatars` draws that one itself)."""
        if self.job is not None:
            self.job.wait()
            self.job = None


class _Once:
    """`wanted()` asked at most once per process (each drawer asks for itself after the fork)."""

    def __init__(self, wanted: Callable[[], frozenset[str] | None]) -> None:
        self.wanted = wanted
        self.answers: dict[int, frozenset[str] | None] = {}

    def __call__(self) -> frozenset[str] | None:
        pid = os.getpid()
        if pid not in self.answers:
            self.answers[pid] = self.wanted()
        return self.answers[pid]


def _draw_wanted(wanted: _Once, items: list[tuple[str, str, str | None, str]]) -> int:
    chosen = wanted()
    return _draw_and_store([i for i in items if chosen is None or i[0] in chosen])


def _can_fork() -> bool:
    import threading

    # forking is only safe without other threads (another job's collecting thread may run)
    return threading.active_count() == 1


def font_digest(font_path: str | None) -> str:
    """What a drawing depends on of the font (part of the avatar and OG cache keys): its bytes'
    digest, "" for the built-in font, "unreadable" when it cannot be read (drawing then falls
    back as `load_font` does)."""
    if not font_path:
        return ""
    try:
        return hashlib.sha256(Path(font_path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def _draw_in_parallel(items: list[tuple[str, str, str | None]]) -> list[bytes]:
    workers = min(os.cpu_count() or 1, 4)
    # when another job runs (profiles), the cores are busy anyway: draw here
    if len(items) < PARALLEL_MIN or workers < 2 or not _can_fork():
        return _fallback_job(items)
    size = -(-len(items) // (workers * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    job = start_fork_map(_fallback_job, chunks, children=workers - 1)
    return [data for part in job.results() for data in part]


def _fail(
    stats: AvatarStats,
    warn: Warn | None,
    url: str,
    exc: AvatarError,
    sources: dict[str, bytes | None],
) -> None:
    sources[url] = None
    stats.failed += 1
    message = f"Avatar {mask_url(url)} failed: {exc}"
    stats.failures.append(message)
    if warn is not None:
        warn(message)


def avatar_href(
    absolute: Callable[[str], str], mode: str, username: str, avatar_url: str | None
) -> str:
    """The URL pages and the API use for an avatar: the remote URL in `remote` mode (when there
    is a usable one), otherwise the local `avatars/<username>.webp` made absolute by `absolute`."""
    if mode == "remote" and avatar_url and urlsplit(avatar_url).scheme in ("http", "https"):
        return avatar_url
    from leaderboard.site.urls import segment

    return absolute(f"avatars/{segment(username)}.webp")


def _cache_dir(options: BuildOptions) -> Path:
    return options.effective_cache_dir


def _font_path(options: BuildOptions) -> str | None:
    font = options.config.leaderboard.site.og_font
    return str(Path(options.data_dir) / font) if font else None


def start_prefetch(
    state: BuildState, wanted: Callable[[list[str]], frozenset[str] | None] | None = None
) -> FallbackPrefetch | None:
    """Builder hook: start drawing the fallback avatars of the working DB's published people;
    `wanted(published names)` names the only ones to draw (None: all), see `FallbackPrefetch`."""
    o = state.options
    mode = state.features.avatars if state.features is not None else "cache"
    if state.working is None:
        return None
    from leaderboard.publicdb import published_people

    cache = _cache_dir(o)
    people = [AvatarRequest(*row) for row in published_people(state.working, o.config)]
    requests = [
        r
        for r in people
        if needs_fallback(
            r, mode=mode, cache_dir=cache, offline=o.offline, refresh=o.refresh_avatars
        )
    ]
    names = [r.username for r in people]
    return FallbackPrefetch(
        requests,
        cache_dir=cache,
        font_path=_font_path(o),
        wanted=None if wanted is None else lambda: wanted(names),
    )


def build_stage(state: BuildState) -> None:
    """Builder step (WEB-02 step 7): `avatars/<u>.webp` for every contributor of the public DB.

    Pseudonymous contributors have no `avatar_url` in the public DB and get generated images.
    The processed bytes of real pictures are kept in `state.avatars` for the OG images; a
    contributor with a generated avatar has no picture, and their card draws the initials disc
    (WEB-45) instead of decoding, scaling and quantising the generated WebP again.
    """
    assert state.public is not None and state.urls is not None and state.writer is not None
    o = state.options
    mode = state.features.avatars if state.features is not None else "cache"
    rows = state.public.query(
        "SELECT username, name, avatar_url FROM contributor ORDER BY username"
    )
    model = state.model
    requests = [
        AvatarRequest(r["username"], r["name"] or r["username"], r["avatar_url"])
        for r in rows
        if model is None or model.has_media(r["username"])  # others: initials inline (WEB-64)
    ]
    produced: dict[str, bytes] = {}
    writer = state.writer

    def write(relpath: str, data: bytes) -> None:
        produced[relpath] = data
        writer.write(relpath, data)

    def warn(message: str) -> None:
        state.result.warnings.append(message)
        o.logger.warning("%s", message)

    client = None if o.offline or mode != "cache" else httpx.Client()
    try:
        stats = build_avatars(
            requests, write=write, cache_dir=_cache_dir(o), data_dir=Path(o.data_dir), mode=mode,
            client=client, offline=o.offline, refresh=o.refresh_avatars, warn=warn,
            font_path=_font_path(o),
        )  # fmt: skip
    finally:
        if client is not None:
            client.close()
    state.avatars = {
        user: data
        for user, data in ((p[len("avatars/") : -len(".webp")], d) for p, d in produced.items())
        if user not in stats.drawn
    }
    state.avatar_failures = stats.failed  # a failed download makes the build volatile
    o.logger.info("%s", stats.summary())
