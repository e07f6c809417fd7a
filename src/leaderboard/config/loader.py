"""Reading `config.yaml` into a typed `Config`, with every problem at once (CORE-13…CORE-19).

Stages: read bytes → YAML 1.2 load (lines kept) → `${{ env.X }}` substitution → one validation
pass over every section → `Config` only when no error remains. Nothing here logs or exits; the
caller prints `ConfigResult.problems` and decides the exit code (3 on errors, CORE-15).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leaderboard.config.checker import Checker, Issue, PathKey, nan_issues
from leaderboard.config.datadir import CONFIG_NAME, ENV_VAR
from leaderboard.config.env import substitute
from leaderboard.config.leaderboard import check_leaderboard
from leaderboard.config.model import Config
from leaderboard.config.org_meta import check_meta, check_org
from leaderboard.config.sections import check_runner
from leaderboard.config.sources import SourceSpec
from leaderboard.logs import register_secrets
from leaderboard.problems import ProblemList
from leaderboard.yaml12 import Loaded, YamlError, load

ROOT_KEYS = ("org", "meta", "leaderboard", "runner")


@dataclass(frozen=True)
class ConfigResult:
    """`config` is None when any error was found (after `strict` promotion of warnings)."""

    config: Config | None
    problems: ProblemList
    secrets: frozenset[str] = frozenset()
    # Classified plugin sources by plugin id (relative paths not yet resolved: see
    # `sources.resolve_source_path`), and INFO lines to log (built-in aliases, CORE-23).
    sources: dict[str, SourceSpec] = field(default_factory=dict)
    infos: tuple[str, ...] = ()


def _yaml_code(message: str) -> str:
    if "duplicate key" in message:
        return "duplicate-key"
    if "tag" in message:
        return "yaml-tag"
    return "yaml-syntax"


def _finish(problems: ProblemList, *, strict: bool) -> ProblemList:
    return problems.strict() if strict else problems


def load_config(
    data_dir: Path,
    *,
    env: Mapping[str, str],
    strict: bool = False,
    require_site_url: bool = False,
) -> ConfigResult:
    """Load and validate `<data_dir>/config.yaml`.

    `env` is the environment used for substitution; `LEADERBOARD_DATA_DIR` is added (as the
    absolute data dir) when it is missing or empty there (CORE-04 step 4; the process
    environment is never written). `require_site_url` is set by `build` when no `--site-url`
    was given (WEB-01).
    """
    problems = ProblemList()
    file = data_dir / CONFIG_NAME
    try:
        data = file.read_bytes()
    except OSError as exc:
        problems.error(CONFIG_NAME, None, "unreadable", f"cannot read {file}: {exc.strerror}")
        return ConfigResult(None, _finish(problems, strict=strict))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(
            CONFIG_NAME, line, "invalid-utf8", "file is not valid UTF-8; save it as UTF-8"
        )
        return ConfigResult(None, _finish(problems, strict=strict))
    return validate_text(
        text, env=env, strict=strict, require_site_url=require_site_url, data_dir=data_dir
    )


def validate_text(
    text: str,
    *,
    env: Mapping[str, str],
    strict: bool = False,
    require_site_url: bool = False,
    data_dir: Path | None = None,
) -> ConfigResult:
    """`load_config` on text already read (used by tests and by `doctor`)."""
    problems = ProblemList()
    try:
        loaded = load(text)
    except YamlError as exc:
        code = exc.code or _yaml_code(exc.message)
        problems.error(CONFIG_NAME, exc.line, code, exc.message, exc.column)
        return ConfigResult(None, _finish(problems, strict=strict))
    effective = dict(env)
    if data_dir is not None and not effective.get(ENV_VAR):  # unset or empty (CORE-04)
        effective[ENV_VAR] = str(data_dir.absolute())
    sub = substitute(loaded.value, effective)
    # Every substituted value is a secret from here on, for the whole process: log lines, stored
    # run summaries and plugin-written files mask it wherever it surfaces (CORE-14, CORE-82).
    register_secrets(sub.secrets)
    for unset in sub.unset:
        problems.warning(
            CONFIG_NAME,
            loaded.line_of(unset.path),
            "env-unset",
            f"environment variable {unset.name} is not set",
        )
    ch = Checker(secrets=sub.secrets)
    root = sub.value
    config, sources, infos = _validate(ch, root, loaded, require_site_url, data_dir, sub.secrets)
    for issue in ch.issues:
        _add(problems, issue, loaded)
    problems = _finish(problems, strict=strict)
    ordered = ProblemList()
    by_line = sorted(problems, key=lambda p: (not p.is_error, p.line or 0, p.column or 0))
    ordered.extend(by_line)  # errors first, then warnings (CORE-15), each in file order
    if ordered.has_errors():
        config = None
    return ConfigResult(config, ordered, sub.secrets, sources, tuple(infos))


def _validate(
    ch: Checker,
    root: Any,
    loaded: Loaded,
    require_site_url: bool,
    data_dir: Path | None,
    secrets: frozenset[str],
) -> tuple[Config | None, dict[str, SourceSpec], list[str]]:
    if root is None:
        ch.error((), "wrong-type", "config.yaml is empty; it needs at least org and leaderboard")
        return None, {}, []
    if not isinstance(root, dict):
        ch.error(
            (),
            "wrong-type",
            f"must be a mapping with org and leaderboard keys (got {ch.got(root)})",
        )
        return None, {}, []
    ch.issues.extend(nan_issues(root))
    ch.unknown_keys(root, (), ROOT_KEYS)
    org = check_org(ch, root)
    meta = check_meta(ch, root, org, require_site_url=require_site_url)
    lb = check_leaderboard(
        ch, root, loaded.lines, org_name=org.name if org else "", data_dir=data_dir
    )
    runner = check_runner(ch, root)
    if org is None or meta is None or lb.config is None:
        return None, lb.sources, lb.infos
    config = Config(
        org=org, meta=meta, leaderboard=lb.config, raw=root, secrets=secrets, runner=runner
    )
    return config, lb.sources, lb.infos


def _add(problems: ProblemList, issue: Issue, loaded: Loaded) -> None:
    at: PathKey = issue.at if issue.at is not None else issue.path
    line = loaded.line_of(at)
    if issue.severity == "error":
        problems.error(CONFIG_NAME, line, issue.code, issue.text())
    else:
        problems.warning(CONFIG_NAME, line, issue.code, issue.text())
