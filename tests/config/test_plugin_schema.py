"""CORE-18/CORE-21: a plugin's `config_schema` applied to its config map."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from leaderboard.config import check_plugin_config


class FakeValidationError(Exception):
    """Shaped like pydantic's ValidationError: `errors()` with `loc` and `msg`."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("validation failed")
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


class Schema:
    """A pydantic-style model class: `model_validate` raises on bad input."""

    @classmethod
    def model_validate(cls, data: dict[str, Any]) -> Schema:
        errors = []
        if not isinstance(data.get("org"), str):
            errors.append({"loc": ("org",), "msg": "Field required"})
        if "repos" in data and not all(isinstance(r, str) for r in data["repos"]):
            errors.append({"loc": ("repos", 1), "msg": "Input should be a valid string"})
        if errors:
            raise FakeValidationError(errors)
        return cls()


def test_core_18_no_schema_no_problems() -> None:
    plugin = SimpleNamespace(name="p")
    assert check_plugin_config("p", plugin, {"x": 1}, line=3, as_warning=False) == []


def test_core_18_model_schema_errors_with_paths() -> None:
    plugin = SimpleNamespace(config_schema=Schema)
    problems = check_plugin_config("gh", plugin, {"repos": ["a", 2]}, line=12, as_warning=False)
    assert [p.format() for p in problems] == [
        "config.yaml:12: error: leaderboard.plugins.gh.config.org: Field required [plugin-config]",
        "config.yaml:12: error: leaderboard.plugins.gh.config.repos[1]: Input should be a valid "
        "string [plugin-config]",
    ]
    assert check_plugin_config("gh", plugin, {"org": "x"}, line=12, as_warning=False) == []


def test_core_18_disabled_plugins_get_warnings() -> None:
    plugin = SimpleNamespace(config_schema=Schema)
    (problem,) = check_plugin_config("gh", plugin, {}, line=None, as_warning=True)
    assert problem.severity == "warning" and problem.line is None


def test_core_21_callable_schema() -> None:
    def schema(config: dict[str, Any]) -> list[str]:
        out = []
        if "channel" not in config:
            out.append("channel: is required")
        out.append("token and webhook are mutually exclusive")
        return out

    plugin = SimpleNamespace(config_schema=schema)
    assert [p.message for p in check_plugin_config("s", plugin, {}, line=1, as_warning=False)] == [
        "leaderboard.plugins.s.config.channel: is required",
        "leaderboard.plugins.s.config: token and webhook are mutually exclusive",
    ]
    ok = SimpleNamespace(config_schema=lambda c: None)
    assert check_plugin_config("s", ok, {}, line=1, as_warning=False) == []


def test_core_21_broken_schema_is_reported_not_raised() -> None:
    def boom(config: dict[str, Any]) -> list[str]:
        raise RuntimeError(f"cannot handle {config['token']}")

    plugin = SimpleNamespace(config_schema=boom)
    (problem,) = check_plugin_config(
        "s", plugin, {"token": "xoxb-1"}, line=4, as_warning=False, secrets=frozenset({"xoxb-1"})
    )
    assert problem.message == (
        "leaderboard.plugins.s.config: cannot check the plugin config: RuntimeError: "
        "cannot handle ***"
    )
    not_schema = SimpleNamespace(config_schema=42)
    (problem,) = check_plugin_config("s", not_schema, {}, line=4, as_warning=False)
    assert "must be a pydantic-style model class or a callable" in problem.message


def test_core_21_model_raising_plain_exception() -> None:
    class Strict:
        @classmethod
        def model_validate(cls, data: dict[str, Any]) -> None:
            raise ValueError("bad config")

    (problem,) = check_plugin_config(
        "p", SimpleNamespace(config_schema=Strict), {}, line=2, as_warning=False
    )
    assert problem.message == (
        "leaderboard.plugins.p.config: config_schema rejected the config: bad config"
    )


def test_runner_passes_substituted_secrets_to_the_plugin_config_check(tmp_path: Any) -> None:
    """Issue 15 item 1: `pipeline.plugin_problems` masks what a `config_schema` quotes."""
    from leaderboard.config import load_config
    from leaderboard.pipeline import plugin_problems

    (tmp_path / "config.yaml").write_text(
        "org: {name: Org, description: d, url: 'https://example.org', logo_url: /l.svg}\n"
        "leaderboard:\n  plugins:\n    api:\n      source: dummy\n"
        "      config: {token: '${{ env.API_TOKEN }}'}\n"
    )
    config = load_config(tmp_path, env={"API_TOKEN": "tok_1234567890"}).config
    assert config is not None

    def schema(cfg: dict[str, Any]) -> list[str]:
        return [f"token {cfg['token']} has the wrong prefix (expected ghp_)"]

    loaded = SimpleNamespace(id="api", plugin=SimpleNamespace(name="api", config_schema=schema))
    problems = plugin_problems(config, [loaded], selected=())
    assert [p.message for p in problems] == [
        "leaderboard.plugins.api.config: token *** has the wrong prefix (expected ghp_)"
    ]
