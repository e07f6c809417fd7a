"""JSONL record files: activities, contributor aggregates, contributor badges (CORE-44…CORE-50).

Each non-blank line is one unit. Parsing is the hot path of import (130,000 activities, CORE-80),
so it works line by line with plain tuples and no per-line allocations beyond the row itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, tzinfo
from functools import lru_cache
from typing import Annotated, Any, Literal

import msgspec
import orjson

from leaderboard.datarepo.fastjson import compact_or_none, is_canonical_text, parse_line
from leaderboard.datarepo.snapshot import LINE_NUMBERS, Row, Unit
from leaderboard.datarepo.values import (
    aggregate_value_problem,
    as_points,
    describe,
    encode_json,
    encode_optional,
    loads_line,
    parse_column,
)
from leaderboard.db.schema import ACTIVITY_FIELDS
from leaderboard.inputlimits import (
    CODE_TOO_LARGE,
    MAX_DEPTH,
    MAX_LINE_BYTES,
    bytes_may_nest_too_deep,
    line_too_long_message,
)
from leaderboard.jsonfmt import JsonError, check_limits, dumps_compact, encode_string
from leaderboard.jsonfmt import is_plain as plain
from leaderboard.problems import Problem
from leaderboard.timeutil import (
    canonical,
    date_text,
    from_canonical,
    is_canonical,
    local_date,
    parse_date,
    parse_timestamp,
)
from leaderboard.usernames import ascii_lower

_CANONICAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", re.ASCII)
# The canonical shape with every field in range except day-of-month beyond 28 (checked apart):
# exactly the texts `from_canonical` turns into a datetime.
_CANONICAL_RANGES = re.compile(
    r"(?!0000)\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z",
    re.ASCII,
)
ACTIVITY_KEYS = frozenset(
    (
        "slug",
        "contributor",
        "activity_definition",
        "title",
        "occurred_at",
        "occured_at",
        "link",
        "text",
        "points",
        "meta",
    )
)
AGGREGATE_KEYS = frozenset(("aggregate", "contributor", "value", "meta"))
BADGE_KEYS = frozenset(("slug", "badge", "contributor", "variant", "achieved_on", "meta"))


@dataclass
class LineContext:
    """What line checks need to know: contributors, known definitions, tz, now."""

    contributors: dict[str, str]  # ascii-lower username → canonical spelling
    activity_definitions: set[str]
    aggregate_definitions: set[str]
    badge_variants: dict[str, set[str]]  # badge slug → variant keys of the winning definition
    tz: tzinfo
    now_text: str
    problems: list[Problem] = field(default_factory=list)
    _spellings: dict[str, str] = field(default_factory=dict, repr=False)
    _definitions: dict[str, str] = field(default_factory=dict, repr=False)
    _days: dict[str, bool] = field(default_factory=dict, repr=False)
    _metas: dict[str, str] = field(default_factory=dict, repr=False)
    _raw_metas: dict[bytes, str] = field(default_factory=dict, repr=False)
    _file_decoder: Any = field(default=None, repr=False, compare=False)

    def contributor_of(self, name: Any) -> str | None:
        """Canonical spelling of a contributor reference, or None (memoised per spelling)."""
        if type(name) is not str:
            return None
        found = self._spellings.get(name)
        if found is None and name:
            found = self.contributors.get(ascii_lower(name))
            if found is not None:
                self._spellings[name] = found
        return found

    def definition_of(self, slug: Any) -> str | None:
        """`slug` when it names a known activity definition, as one shared string object (at 10x
        scale a separate copy per activity line costs ~80 MB)."""
        if type(slug) is not str:
            return None
        found = self._definitions.get(slug)
        if found is None and slug in self.activity_definitions:
            found = self._definitions[slug] = slug
        return found

    def valid_canonical(self, text: str) -> bool:
        """True when `text` is a canonical timestamp of a real instant (what `from_canonical`
        accepts after the `_CANONICAL` shape check); day validity is memoised per date."""
        if _CANONICAL_RANGES.fullmatch(text) is None:
            return False
        if text[8] < "3" and text[8:10] != "29":
            return True  # days 01-28 exist in every month
        day = text[:10]
        ok = self._days.get(day)
        if ok is None:
            try:
                date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
                ok = True
            except ValueError:
                ok = False
            self._days[day] = ok
        return ok

    def activity_file_decoder(self) -> msgspec.json.Decoder[Any] | None:
        """The msgspec decoder of `fast_activity_rows` for this context (built once), or None
        when no line can pass it (no contributor or no definition is known)."""
        if self._file_decoder is None:
            self._file_decoder = _activity_decoder(
                tuple(sorted(set(self.contributors.values()))),
                tuple(sorted(self.activity_definitions)),
            )
        return self._file_decoder or None


class _Bad(Exception):
    """A unit-level error: (code, message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _required_str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None and key not in obj:
        raise _Bad("missing-key", f"missing required key '{key}'")
    if not isinstance(value, str) or value == "":
        raise _Bad("wrong-type", f"{key} must be a non-empty string (got {describe(value)})")
    return value


def _optional_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _Bad("wrong-type", f"{key} must be a string or null (got {describe(value)})")


def _contributor(obj: dict[str, Any], ctx: LineContext) -> str:
    name = _required_str(obj, "contributor")
    canonical_name = ctx.contributors.get(ascii_lower(name))
    if canonical_name is None:
        raise _Bad(
            "unknown-contributor",
            f"unknown contributor '{name}': add contributors/{name}.md or fix the name",
        )
    return canonical_name


def _extra(obj: dict[str, Any], known: frozenset[str]) -> str | None:
    if len(obj) <= len(known) and all(k in known for k in obj):
        return None
    extra = {k: v for k, v in obj.items() if k not in known}
    return encode_json(extra) if extra else None


def _timestamp(text: Any, key: str, ctx: LineContext, warn: list[tuple[str, str]]) -> str:
    if not isinstance(text, str):
        raise _Bad("wrong-type", f"{key} must be a timestamp string (got {describe(text)})")
    if is_canonical(text) and _CANONICAL.match(text):
        try:
            from_canonical(text)
            return text
        except ValueError:
            pass
    try:
        parsed = parse_timestamp(text, ctx.tz)
    except ValueError:
        raise _Bad(
            "invalid-timestamp",
            f"{key} is not a timestamp (got {text!r}); use e.g. 2024-05-01T10:00:00Z",
        ) from None
    if parsed.truncated:
        warn.append(("fraction-truncated", f"{key} fraction beyond milliseconds truncated"))
    return canonical(parsed.instant)


def parse_activity(obj: dict[str, Any], ctx: LineContext, warn: list[tuple[str, str]]) -> Row:
    slug = _required_str(obj, "slug")
    contributor = _contributor(obj, ctx)
    definition = _required_str(obj, "activity_definition")
    if definition not in ctx.activity_definitions:
        raise _Bad(
            "unknown-definition",
            f"unknown activity definition '{definition}': add it to activities/definitions.json",
        )
    if "occurred_at" in obj:
        occurred = _timestamp(obj["occurred_at"], "occurred_at", ctx, warn)
        if "occured_at" in obj:
            legacy = _timestamp(obj["occured_at"], "occured_at", ctx, warn)
            if legacy != occurred:
                raise _Bad(
                    "conflicting-occured-at",
                    "occurred_at and legacy occured_at differ; keep only occurred_at",
                )
    elif "occured_at" in obj:
        occurred = _timestamp(obj["occured_at"], "occured_at", ctx, warn)
        warn.append(("legacy-occured-at", "legacy key occured_at (will be written as occurred_at)"))
    else:
        raise _Bad("missing-key", "missing required key 'occurred_at'")
    if occurred > ctx.now_text:
        warn.append(("future-activity", f"occurred_at {occurred} is after now"))
    try:
        points = as_points(obj.get("points"))
    except ValueError as exc:
        raise _Bad("wrong-type", f"points {exc}") from None
    try:
        meta = encode_optional(obj.get("meta"))
        extra = _extra(obj, ACTIVITY_KEYS)
    except ValueError as exc:
        raise _Bad("invalid-value", str(exc)) from None
    return (
        slug,
        contributor,
        definition,
        _optional_str(obj, "title"),
        occurred,
        _optional_str(obj, "link"),
        _optional_str(obj, "text"),
        points,
        meta,
        extra,
    )


def parse_aggregate(obj: dict[str, Any], ctx: LineContext, warn: list[tuple[str, str]]) -> Row:
    aggregate = _required_str(obj, "aggregate")
    contributor = _contributor(obj, ctx)
    if aggregate not in ctx.aggregate_definitions:
        raise _Bad(
            "unknown-aggregate",
            f"unknown aggregate '{aggregate}': define it in aggregates/definitions.json",
        )
    if "value" not in obj:
        raise _Bad("missing-key", "missing required key 'value'")
    problem = aggregate_value_problem(obj["value"])
    if problem:
        if problem[0] == "error":
            raise _Bad("invalid-value", problem[1])
        warn.append(("unknown-value-type", problem[1]))
    try:
        return (
            aggregate,
            contributor,
            encode_json(obj["value"]),
            encode_optional(obj.get("meta")),
            _extra(obj, AGGREGATE_KEYS),
        )
    except ValueError as exc:
        raise _Bad("invalid-value", str(exc)) from None


def parse_badge(obj: dict[str, Any], ctx: LineContext, warn: list[tuple[str, str]]) -> Row:
    slug = _required_str(obj, "slug")
    badge = _required_str(obj, "badge")
    contributor = _contributor(obj, ctx)
    variant = _required_str(obj, "variant")
    variants = ctx.badge_variants.get(badge)
    if variants is None:
        raise _Bad(
            "unknown-badge", f"unknown badge '{badge}': define it in badges/definitions.json"
        )
    if variant not in variants:
        warn.append(("unknown-variant", f"badge '{badge}' has no variant '{variant}'"))
    achieved = obj.get("achieved_on")
    if "achieved_on" not in obj:
        raise _Bad("missing-key", "missing required key 'achieved_on'")
    if not isinstance(achieved, str):
        raise _Bad(
            "invalid-date", f"achieved_on must be a date YYYY-MM-DD (got {describe(achieved)})"
        )
    try:
        achieved_text = date_text(parse_date(achieved))
    except ValueError:
        try:
            parsed = parse_timestamp(achieved, ctx.tz)
        except ValueError:
            raise _Bad(
                "invalid-date", f"achieved_on must be a date YYYY-MM-DD (got {achieved!r})"
            ) from None
        achieved_text = date_text(local_date(parsed.instant, ctx.tz))
        warn.append(("achieved-on-reduced", "achieved_on timestamp reduced to a date"))
    try:
        return (
            slug,
            badge,
            contributor,
            variant,
            achieved_text,
            encode_optional(obj.get("meta")),
            _extra(obj, BADGE_KEYS),
        )
    except ValueError as exc:
        raise _Bad("invalid-value", str(exc)) from None


PARSERS = {
    "activity": parse_activity,
    "contributor_aggregate": parse_aggregate,
    "contributor_badge": parse_badge,
}


def unit_key(kind: str, row: Row) -> str:
    if kind == "contributor_aggregate":
        return f"{row[0]}\0{ascii_lower(row[1])}"
    return str(row[0])


def parse_lines_file(
    kind: str,
    path: str,
    text: str | bytes,
    ctx: LineContext,
    out: list[Unit],
    problems: list[Problem],
    export_form: list[bool] | None = None,
) -> bool:
    """Append the units of one JSONL file to `out`; False when some line could not be read.

    `text` is the file's content with BOM removed and `\\r\\n` turned into `\\n`, as text or as
    its UTF-8 bytes. Each line is parsed with orjson and the result is used only when orjson
    writes it back byte for byte (`fastjson.parse_line`), which proves there is no duplicate key
    and no big integer; any other line goes through the exact stdlib path.

    With `export_form` (activities only), False is appended when some line is not exactly what
    `render_activity` writes for its row (see `in_export_form` for the file-level rest).
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if kind == "activity" and data:
        rows = fast_activity_rows(data, ctx)
        if rows is not None:  # every line valid, plain, and in export form (see there)
            # line numbers as the shared objects (`snapshot.line_number`)
            numbers = LINE_NUMBERS if len(rows) < len(LINE_NUMBERS) else range(len(rows) + 1)
            out.extend([Unit(kind, path, numbers[n], r[0], r) for n, r in enumerate(rows, 1)])
            return True
    parse = PARSERS[kind]
    fast = _FAST.get(kind)
    complete = True
    lines = data.split(b"\n")
    if export_form is not None and (lines[-1] != b"" or len(lines) < 2):
        export_form.append(False)
    for number, raw in enumerate(lines, start=1):
        if not raw:
            if export_form is not None and number < len(lines):
                export_form.append(False)
            continue
        if len(raw) > MAX_LINE_BYTES or bytes_may_nest_too_deep(raw):
            limit = _limit_problem(path, number, raw)
            if limit is not None:
                problems.append(limit)
                complete = False
                if export_form is not None:
                    export_form.append(False)
                continue
        obj = parse_line(raw)
        if export_form is not None and (type(obj) is not dict or tuple(obj) != _ACTIVITY_ORDER):
            export_form.append(False)
        if obj is None:
            line = raw.decode("utf-8")
            if line.isspace():
                continue
            try:
                obj = loads_line(line)
            except JsonError as exc:
                problems.append(Problem(path, number, exc.column, "error", exc.code, exc.message))
                complete = False
                continue
        elif fast is not None and type(obj) is dict:
            row = fast(obj, ctx)
            if row is not None:
                out.append(Unit(kind, path, number, row[0], row))
                continue
        if export_form is not None:
            export_form.append(False)
        if not isinstance(obj, dict):
            problems.append(
                Problem(
                    path,
                    number,
                    None,
                    "error",
                    "not-an-object",
                    f"each line must be a JSON object (got {describe(obj)})",
                )
            )
            complete = False
            continue
        warn: list[tuple[str, str]] = []
        try:
            row = parse(obj, ctx, warn)
        except _Bad as bad:
            problems.append(Problem(path, number, None, "error", bad.code, bad.message))
            placeholder = _placeholder(kind, obj)
            if placeholder is None:
                complete = False
            else:
                out.append(Unit(kind, path, number, placeholder, (), valid=False))
            continue
        for code, message in warn:
            problems.append(Problem(path, number, None, "warning", code, message))
        out.append(Unit(kind, path, number, unit_key(kind, row), row))
    return complete


def _limit_problem(path: str, number: int, raw: bytes) -> Problem | None:
    """A line longer than the input limit, or nesting deeper (inputlimits.py); checked before
    parsing, which would otherwise hold the whole line's values or exhaust the stack."""
    if len(raw) > MAX_LINE_BYTES:
        return Problem(path, number, None, "error", CODE_TOO_LARGE, line_too_long_message(len(raw)))
    try:
        check_limits(raw.decode("utf-8"))
    except JsonError as exc:
        return Problem(path, number, exc.column, "error", exc.code, exc.message)
    return None


_ACTIVITY_ORDER = ACTIVITY_FIELDS
_ACTIVITY_FAST_KEYS = frozenset(ACTIVITY_FIELDS)
_INT64_MAX = 2**63 - 1
_SHARED_METAS = 4096


def _fast_activity(obj: dict[str, Any], ctx: LineContext) -> Row | None:
    """The row of a plain, valid activity line, or None to take the full path.

    Accepts only what `parse_activity` would accept without a warning and produce the same row
    for: known keys only, canonical `occurred_at` not after now, integer points, float-free meta.
    """
    if not _ACTIVITY_FAST_KEYS.issuperset(obj):
        return None
    get = obj.get
    slug = get("slug")
    definition = ctx.definition_of(get("activity_definition"))
    occurred = get("occurred_at")
    if (
        type(slug) is not str
        or not slug
        or definition is None
        or type(occurred) is not str
        or not ctx.valid_canonical(occurred)
        or occurred > ctx.now_text
    ):
        return None
    contributor = ctx.contributor_of(get("contributor"))
    if contributor is None:
        return None
    title = get("title")
    link = get("link")
    text = get("text")
    points = get("points")
    meta = get("meta")
    if (
        (title is not None and type(title) is not str)
        or (link is not None and type(link) is not str)
        or (text is not None and type(text) is not str)
        or (points is not None and (type(points) is not int or abs(points) > _INT64_MAX))
    ):
        return None
    if meta is not None:
        meta = compact_or_none(meta)
        if meta is None:
            return None
        # One string object per distinct meta text: metas repeat a lot (the repository, the
        # kind of event), and at 10x a separate copy for each of 1.3 million lines costs ~40 MB
        # of the peak (CORE-80). Bounded, so that unique metas cost no more than before.
        shared = ctx._metas.get(meta)
        if shared is not None:
            meta = shared
        elif len(ctx._metas) < _SHARED_METAS:
            ctx._metas[meta] = meta
    return (slug, contributor, definition, title, occurred, link, text, points, meta, None)


_FAST = {"activity": _fast_activity}

# --- whole activity files in C (msgspec) ---------------------------------------------------

_Int64 = Annotated[int, msgspec.Meta(ge=-_INT64_MAX, le=_INT64_MAX)]
_NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
_NULL = msgspec.Raw(b"null")
_ENCODER = msgspec.json.Encoder()
_FILE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


def _activity_decoder(
    contributors: tuple[str, ...], definitions: tuple[str, ...]
) -> msgspec.json.Decoder[Any] | bool:
    """A decoder of whole activity files whose lines are objects with exactly the export's
    keys in the export's order (`ACTIVITY_FIELDS`), each of the type `_fast_activity` accepts:
    the contributor spelled exactly as a profile's file name, a known definition (both as
    `Literal`s: checked in C, and decoded to the one shared string object of each name), a
    non-empty slug, strings or null, a 64-bit integer or null. `meta` is kept as its bytes.
    False when no line can pass."""
    if not contributors or not definitions:
        return False
    types: dict[str, Any] = {
        "slug": _NonEmpty,
        "contributor": Literal[contributors],
        "activity_definition": Literal[definitions],
        "title": str | None,
        "occurred_at": str,
        "link": str | None,
        "text": str | None,
        "points": _Int64 | None,
        "meta": msgspec.Raw,
    }
    line = msgspec.defstruct(
        "ActivityLine",
        [(name, types[name]) for name in ACTIVITY_FIELDS[:9]],
        forbid_unknown_fields=True,
        gc=False,
    )
    return msgspec.json.Decoder(line)


def fast_activity_rows(data: bytes, ctx: LineContext) -> list[Row] | None:
    """The rows of a whole activity file when every line is a plain, valid activity exactly in
    export form, or None: then the file goes line by line through the exact path, which alone
    words problems (CORE-39: file and line) and decides what the fast paths decline.

    msgspec decodes the file and checks keys and types in C; the proof that it read the text
    exactly is that its encoding of what it read gives back the file byte for byte (as
    `fastjson.parse_line` does for one line with orjson): a duplicate key would be written
    once, a blank line, a space or an escape such as `\\u00e9` not at all, and msgspec escapes
    strings exactly as orjson does (checked for every code point in the tests). What the
    types cannot say is checked here as `_fast_activity` does: a canonical `occurred_at` of a
    real instant, not after now, and a `meta` that orjson reads exactly, without floats.
    """
    decoder = ctx.activity_file_decoder()
    if decoder is None:
        return None
    if len(data) > MAX_LINE_BYTES and max(map(len, data.split(b"\n"))) > MAX_LINE_BYTES:
        return None
    try:
        lines = decoder.decode_lines(data)
    except _FILE_ERRORS:
        return None
    if _ENCODER.encode_lines(lines) != data:
        return None
    now = ctx.now_text
    valid = ctx.valid_canonical
    metas = ctx._raw_metas
    rows: list[Row] = []
    append = rows.append
    for line in lines:
        occurred = line.occurred_at
        if occurred > now or not valid(occurred):
            return None
        meta: Any = line.meta
        if meta == _NULL:
            meta = None
        else:
            key = bytes(meta)
            meta = metas.get(key)
            if meta is None:
                meta = _plain_meta(key, metas)
                if meta is None:
                    return None
        append(
            (
                line.slug,
                line.contributor,
                line.activity_definition,
                line.title,
                occurred,
                line.link,
                line.text,
                line.points,
                meta,
                None,
            )
        )
    return rows


def _plain_meta(raw: bytes, metas: dict[bytes, str]) -> str | None:
    """The column text of a `meta` when `_fast_activity` would store exactly these bytes:
    read exactly by orjson (no duplicate key, no big integer: `fastjson.parse_line`), compact,
    float-free, and nested less than `MAX_DEPTH` levels below the line's object (a bracket
    count bounds the depth; more brackets, and the exact path decides); else None. One shared
    string per distinct text, as there."""
    if raw.count(b"[") + raw.count(b"{") >= MAX_DEPTH:
        return None
    value = parse_line(raw)
    if value is None or not plain(value):
        return None
    text = raw.decode("utf-8")
    if len(metas) < _SHARED_METAS:
        metas[raw] = text
    return text


def in_export_form(username: str, rows: list[Row]) -> bool:
    """The rows of one activity file whose every line is in export form (`parse_lines_file`)
    are what export writes for `username` when they are all that contributor's, in export
    order: `occurred_at`, then `slug`, and the canonical spelling is the file name."""
    previous: tuple[str, str] | None = None
    for r in rows:
        if r[1] != username or r[9] is not None:
            return False
        key = (r[4], r[0])
        if previous is not None and key <= previous:
            return False
        previous = key
    return bool(rows)


def _placeholder(kind: str, obj: dict[str, Any]) -> str | None:
    """Key of an invalid line, when it has one (so the file is known to be protected)."""
    key = obj.get("aggregate" if kind == "contributor_aggregate" else "slug")
    return key if isinstance(key, str) else ""


# --- export --------------------------------------------------------------------------------


def _splice(head: str, meta: str | None, extra: str | None, known: frozenset[str]) -> str:
    """`head` + `,"meta":…` + extra keys + `}` (extra keys never repeat a known key)."""
    text = head + ',"meta":' + (_recode(meta) if meta is not None else "null")
    if extra:
        obj = {k: v for k, v in parse_column(extra).items() if k not in known}
        if obj:
            inner = dumps_compact(obj)
            text += "," + inner[1:-1]
    return text + "}\n"


def _recode(value: Any) -> str:
    return dumps_compact(parse_column(value))


def _s(value: str | None) -> str:
    return "null" if value is None else encode_string(value)


_STR_OR_NONE = (str, type(None))


def render_activity(r: Row) -> str:
    """One activity line. Plain rows (text columns, integral points, no unknown keys, a meta
    already in canonical form) are written by orjson in one call; others key by key."""
    meta = r[8]
    if (
        r[9] is None
        and type(r[0]) is str
        and type(r[1]) is str
        and type(r[2]) is str
        and type(r[4]) is str
        and type(r[3]) in _STR_OR_NONE
        and type(r[5]) in _STR_OR_NONE
        and type(r[6]) in _STR_OR_NONE
        and (r[7] is None or type(r[7]) is int)
        and (meta is None or (type(meta) is str and is_canonical_text(meta)))
    ):
        try:
            head = orjson.dumps(
                {
                    "slug": r[0],
                    "contributor": r[1],
                    "activity_definition": r[2],
                    "title": r[3],
                    "occurred_at": r[4],
                    "link": r[5],
                    "text": r[6],
                    "points": r[7],
                }
            ).decode("utf-8")
        except orjson.JSONEncodeError:
            return _render_activity_slow(r)
        return head[:-1] + ',"meta":' + ("null" if meta is None else meta) + "}\n"
    return _render_activity_slow(r)


def _render_activity_slow(r: Row) -> str:
    head = (
        '{"slug":'
        + encode_string(r[0])
        + ',"contributor":'
        + encode_string(r[1])
        + ',"activity_definition":'
        + encode_string(r[2])
        + ',"title":'
        + _s(r[3])
        + ',"occurred_at":'
        + encode_string(r[4])
        + ',"link":'
        + _s(r[5])
        + ',"text":'
        + _s(r[6])
        + ',"points":'
        + ("null" if r[7] is None else str(int(r[7])))
    )
    return _splice(head, r[8], r[9], ACTIVITY_KEYS)


# The canonical compact text of a stored JSON column, by text: aggregate values and metas repeat
# across contributors (one meta text per definition and run, small integers, dates), so at 10x
# the export writes 320,000 columns but only some thousands of distinct texts (CORE-80). A pure
# function of the text, so only speed depends on it; bounded, and emptied when full.
_COMPACT_SEEN: dict[str, str] = {}
_COMPACT_SEEN_MAX = 16384


def _compact_column(value: Any) -> str:
    """`_recode(value)` ("null" for NULL): the stored text itself when it is already canonical
    (`is_canonical_text`), else re-encoded; worked out once per distinct text."""
    if type(value) is not str:
        return "null" if value is None else _recode(value)
    known = _COMPACT_SEEN.get(value)
    if known is None:
        known = value if is_canonical_text(value) else _recode(value)
        if len(_COMPACT_SEEN) >= _COMPACT_SEEN_MAX:
            _COMPACT_SEEN.clear()
        _COMPACT_SEEN[value] = known
    return known


# Aggregate slugs, usernames, badges, variants and dates repeat from line to line.
_encode_repeated = lru_cache(maxsize=4096)(encode_string)


def render_aggregate(r: Row) -> str:
    """One contributor aggregate line; value and meta are copied when already canonical."""
    if r[4] is None and type(r[0]) is str and type(r[1]) is str:
        return (
            '{"aggregate":'
            + _encode_repeated(r[0])
            + ',"contributor":'
            + _encode_repeated(r[1])
            + ',"value":'
            + _compact_column(r[2])
            + ',"meta":'
            + _compact_column(r[3])
            + "}\n"
        )
    head = (
        '{"aggregate":'
        + encode_string(r[0])
        + ',"contributor":'
        + encode_string(r[1])
        + ',"value":'
        + _recode(r[2])
    )
    return _splice(head, r[3], r[4], AGGREGATE_KEYS)


def render_badge(r: Row) -> str:
    """One badge line; a canonical meta is copied as it is."""
    if r[6] is None and all(type(r[i]) is str for i in range(5)):
        return (
            '{"slug":'
            + encode_string(r[0])
            + ',"badge":'
            + _encode_repeated(r[1])
            + ',"contributor":'
            + _encode_repeated(r[2])
            + ',"variant":'
            + _encode_repeated(r[3])
            + ',"achieved_on":'
            + _encode_repeated(r[4])
            + ',"meta":'
            + _compact_column(r[5])
            + "}\n"
        )
    head = (
        '{"slug":'
        + encode_string(r[0])
        + ',"badge":'
        + encode_string(r[1])
        + ',"contributor":'
        + encode_string(r[2])
        + ',"variant":'
        + encode_string(r[3])
        + ',"achieved_on":'
        + encode_string(r[4])
    )
    return _splice(head, r[5], r[6], BADGE_KEYS)
