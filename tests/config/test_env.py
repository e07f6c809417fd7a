"""CORE-14: `${{ env.NAME }}` substitution and masking."""

from __future__ import annotations

from pathlib import Path

from cfgtest import FIXTURES, Loader, lines_of, with_leaderboard

from leaderboard.config import load_config, mask, substitute


def test_core_14_set_variable_stays_a_string() -> None:
    sub = substitute({"a": {"n": "${{ env.N }}"}}, {"N": "5"})
    assert sub.value == {"a": {"n": "5"}}
    assert sub.secrets == frozenset({"5"})
    assert sub.unset == []


def test_core_14_placeholder_syntax_whitespace_and_several() -> None:
    env = {"A": "x", "B_2": "y"}
    sub = substitute({"k": "${{env.A}}-${{   env.B_2   }}/${{ env.A }}"}, env)
    assert sub.value == {"k": "x-y/x"}


def test_core_14_not_a_placeholder_is_left_alone() -> None:
    tree = {"a": "${{ env.1BAD }}", "b": "${ env.A }", "c": "$${{ envA }}"}
    assert substitute(tree, {"A": "x"}).value == tree


def test_core_14_keys_are_not_substituted() -> None:
    sub = substitute({"${{ env.A }}": "v"}, {"A": "x"})
    assert sub.value == {"${{ env.A }}": "v"}


def test_core_14_unset_whole_value_removes_key() -> None:
    sub = substitute({"m": {"token": "${{ env.TOKEN }}", "keep": 1}}, {})
    assert sub.value == {"m": {"keep": 1}}
    assert [(u.name, u.path) for u in sub.unset] == [("TOKEN", ("m", "token"))]


def test_core_14_unset_in_sequence_becomes_null() -> None:
    sub = substitute({"l": ["a", "${{ env.X }}", "b"]}, {})
    assert sub.value == {"l": ["a", None, "b"]}
    assert sub.unset[0].path == ("l", 1)


def test_core_14_unset_embedded_becomes_empty() -> None:
    sub = substitute({"u": "https://${{ env.HOST }}/x"}, {})
    assert sub.value == {"u": "https:///x"}
    assert sub.unset[0].name == "HOST"


def test_core_14_empty_value_counts_as_set() -> None:
    sub = substitute({"u": "${{ env.EMPTY }}"}, {"EMPTY": ""})
    assert sub.value == {"u": ""}
    assert sub.unset == [] and sub.secrets == frozenset()


def test_core_14_data_dir_is_not_a_secret() -> None:
    sub = substitute({"p": "${{ env.LEADERBOARD_DATA_DIR }}/x"}, {"LEADERBOARD_DATA_DIR": "/d"})
    assert sub.value == {"p": "/d/x"}
    assert sub.secrets == frozenset()


def test_core_14_mask_longest_first() -> None:
    assert mask("token abc and abcdef", {"abc", "abcdef"}) == "token *** and ***"
    assert mask("nothing", set()) == "nothing"
    assert mask("x", {""}) == "x"


def test_core_14_unset_warning_with_line(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  plugins:\n"
        "    p:\n"
        "      source: dummy\n"
        "      config:\n"
        "        token: ${{ env.MISSING_TOKEN }}\n"
        "        url: https://${{ env.MISSING_HOST }}/api\n"
    )
    result = load_yaml(text)
    assert lines_of(result) == [
        "11: warning: environment variable MISSING_TOKEN is not set [env-unset]",
        "12: warning: environment variable MISSING_HOST is not set [env-unset]",
    ]
    assert result.config is not None
    assert result.config.leaderboard.plugins["p"].config == {"url": "https:///api"}


def test_core_14_unset_is_an_error_under_strict(load_yaml: Loader) -> None:
    text = with_leaderboard("  data_branch: ${{ env.BRANCH }}\n")
    result = load_yaml(text, strict=True)
    assert result.config is None
    assert [p.severity for p in result.problems] == ["error"]
    assert result.problems.errors[0].code == "env-unset"


def test_core_14_unset_required_key_is_missing(load_yaml: Loader) -> None:
    text = with_leaderboard("  plugins:\n    p:\n      source: ${{ env.SRC }}\n")
    result = load_yaml(text)
    assert lines_of(result) == [
        "8: error: leaderboard.plugins.p.source: is required (an entry-point name, a path or "
        "an https URL) [missing-key]",
        "9: warning: environment variable SRC is not set [env-unset]",
    ]


def test_core_14_secret_masked_in_messages(load_yaml: Loader) -> None:
    text = with_leaderboard("  timezone: ${{ env.TZ_SECRET }}\n")
    result = load_yaml(text, {"TZ_SECRET": "hunter2"})
    assert result.secrets == frozenset({"hunter2"})
    (problem,) = result.problems
    assert "hunter2" not in problem.message
    assert problem.message.endswith("(got '***')")


def test_core_14_secrets_carried_on_config(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  plugins:\n    p:\n      source: dummy\n      config: {token: '${{ env.T }}'}\n"
    )
    result = load_yaml(text, {"T": "s3cr3t"})
    assert result.config is not None
    assert result.config.secrets == frozenset({"s3cr3t"})
    assert result.config.leaderboard.plugins["p"].config == {"token": "s3cr3t"}


def test_core_04_data_dir_placeholder_resolves_without_env(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        with_leaderboard("  theme: ${{ env.LEADERBOARD_DATA_DIR }}/theme.css\n"), encoding="utf-8"
    )
    result = load_config(tmp_path, env={})
    assert result.config is not None
    assert result.config.leaderboard.theme == f"{tmp_path.absolute()}/theme.css"
    assert list(result.problems) == []


def test_core_14_upstream_fixture_masks_token() -> None:
    result = load_config(FIXTURES / "upstream", env={"GITHUB_TOKEN": "ghp_abc"})
    assert result.config is not None
    assert result.config.leaderboard.plugins["github"].config["githubToken"] == "ghp_abc"
    assert "ghp_abc" in result.secrets
