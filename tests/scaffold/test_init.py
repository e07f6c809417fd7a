"""ECO-28…31 and NEW-13: `leaderboard init` from flags, its files, its workflow, its failures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml
from scaffoldkit import ORG_FLAGS, run_cli, tool

from leaderboard.scaffold.answers import InitAnswers, check_answers, normalised, parse_role
from leaderboard.scaffold.datarepo import GITIGNORE, render_scaffold
from leaderboard.scaffold.workflow import secret_names


def init(target: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("init", str(target), "--no-input", *ORG_FLAGS, *extra)


def test_eco_31_init_writes_the_layout_and_commits(tmp_path: Path) -> None:
    target = tmp_path / "acme-data"
    out = init(target, "--plugin", "dummy")
    assert out.returncode == 0, out.stderr
    for rel in (
        "config.yaml",
        "README.md",
        ".gitignore",
        "contributors/.gitkeep",
        "activities/contributors/.gitkeep",
        ".github/workflows/leaderboard.yml",
    ):
        assert (target / rel).is_file(), rel
    assert (target / ".gitignore").read_text().splitlines() == list(GITIGNORE)
    readme = (target / "README.md").read_text()
    assert readme.startswith("# Acme Open Source Collective Leaderboard Data")
    for field in ("identities", "visibility", "occurred_at", "activity_definition"):
        assert field in readme
    log = subprocess.run(["git", "log", "--format=%s"], cwd=target, capture_output=True, text=True)
    assert log.stdout.strip() == "Initial commit: Initialize leaderboard data repository"
    assert "Next steps" in out.stdout


def test_eco_30_config_key_order_defaults_and_roles(tmp_path: Path) -> None:
    target = tmp_path / "d"
    out = init(
        target,
        "--role",
        "bot:Bot:Automation accounts:hidden",
        "--org-start-date",
        "2021-03-04",
        "--timezone",
        "Asia/Kolkata",
        "--no-git",
    )
    assert out.returncode == 0, out.stderr
    text = (target / "config.yaml").read_text()
    data = yaml.safe_load(text)
    assert list(data) == ["org", "meta", "leaderboard"]
    assert data["org"]["start_date"] == "2021-03-04"
    assert data["meta"]["title"] == "Acme Open Source Collective Leaderboard"
    assert data["meta"]["image_url"] == data["org"]["logo_url"]
    assert (
        data["leaderboard"]["data_source"] == "https://github.com/acme-collective/leaderboard-data"
    )
    assert data["leaderboard"]["data_update_frequency"] == "0 */12 * * *"
    assert data["leaderboard"]["roles"]["bot"] == {
        "name": "Bot",
        "description": "Automation accounts",
        "hidden": True,
    }
    assert list(data["leaderboard"]["roles"]) == ["core", "contributor", "bot"]
    assert "# Examples (uncomment and adapt):" in text
    assert not (target / ".git").exists()


def test_eco_30_fresh_scaffold_validates_without_any_problem(tmp_path: Path) -> None:
    target = tmp_path / "d"
    assert init(target, "--no-git").returncode == 0
    out = run_cli("validate", "-d", str(target), "--format", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert (report["errors"], report["warnings"], report["problems"]) == (0, 0, [])


def test_eco_28_missing_required_values_are_listed_together(tmp_path: Path) -> None:
    target = tmp_path / "d"
    out = run_cli("init", str(target), "--no-input", "--org-name", "Acme")
    assert out.returncode == 2
    for flag in ("--org-description", "--org-url", "--org-logo-url", "--site-url"):
        assert flag in out.stderr
    assert "--org-name" not in out.stderr.split("Missing required values")[1]
    assert not target.exists()


def test_eco_29_every_invalid_flag_is_listed_and_nothing_written(tmp_path: Path) -> None:
    target = tmp_path / "d"
    out = init(
        target,
        "--org-start-date",
        "2024-02-30",
        "--email",
        "not-an-email",
        "--timezone",
        "Mars/Olympus",
        "--slack-url",
        "slack.example",
    )
    assert out.returncode == 2
    for flag in ("--org-start-date", "--email", "--timezone", "--slack-url"):
        assert flag in out.stderr, out.stderr
    assert not target.exists()


def test_eco_28_non_empty_directory_is_refused_untouched(tmp_path: Path) -> None:
    target = tmp_path / "d"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    out = init(target)
    assert out.returncode == 1
    assert f"Directory {target} is not empty" in out.stderr
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_eco_28_dotfiles_are_tolerated(tmp_path: Path) -> None:
    target = tmp_path / "d"
    target.mkdir()
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    assert init(target).returncode == 0
    assert (target / "config.yaml").is_file()


def test_eco_28_bad_role_spec_is_a_usage_error(tmp_path: Path) -> None:
    out = init(tmp_path / "d", "--role", "Bad Key:Name")
    assert out.returncode == 2 and "--role" in out.stderr
    assert not (tmp_path / "d").exists()


def test_eco_28_interactive_prompts_and_cancel(tmp_path: Path) -> None:
    """Answers on stdin go through the same prompts; EOF mid-way cancels without writing."""
    from click.testing import CliRunner

    from leaderboard.cli import cli

    target = tmp_path / "i"
    answers = "\n".join(
        [
            "Acme",
            "Acme builds things",
            "not a url",
            "https://acme.example",
            "https://acme.example/logo.png",
            "",
            "n",
            "",
            "",
            "",
            "https://acme.example/board",
            "",
            "",
            "Europe/Berlin",
            "n",
            "y",
            "",
            "dummy",
            "",
        ]
    )
    import leaderboard.scaffold.init as init_mod

    original = init_mod.is_interactive
    init_mod.is_interactive = lambda no_input: True  # type: ignore[assignment]
    try:
        result = CliRunner().invoke(cli, ["init", str(target), "--no-git"], input=answers)
        assert result.exit_code == 0, result.output
        assert "must be an absolute URL" in result.output
        data = yaml.safe_load((target / "config.yaml").read_text())
        assert data["leaderboard"]["timezone"] == "Europe/Berlin"
        assert list(data["leaderboard"]["plugins"]) == ["dummy"]
        cancelled = tmp_path / "c"
        result = CliRunner().invoke(cli, ["init", str(cancelled), "--no-git"], input="Acme\n")
        assert result.exit_code == 1
        assert not cancelled.exists()
    finally:
        init_mod.is_interactive = original  # type: ignore[assignment]


# -- the workflow (NEW-13) -------------------------------------------------------------------


def _answers(deploy: str, plugins: list[str]) -> InitAnswers:
    return normalised(
        InitAnswers(
            org_name="Acme",
            org_description="d",
            org_url="https://acme.example",
            org_logo_url="/logo.svg",
            site_url="https://acme.example/lb",
            github_url="https://github.com/acme",
            plugins=plugins,
            deploy=deploy,
        )
    )


@pytest.mark.parametrize("deploy", ["pages", "netlify", "cloudflare", "none"])
def test_new_13_workflow_passes_the_schema_and_zizmor(tmp_path: Path, deploy: str) -> None:
    scaffold = render_scaffold(_answers(deploy, ["github", "slack"]), workflow=True)
    path = tmp_path / ".github" / "workflows" / "leaderboard.yml"
    path.parent.mkdir(parents=True)
    path.write_text(scaffold.files[".github/workflows/leaderboard.yml"])
    schema = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    audit = subprocess.run(
        [tool("zizmor"), "--offline", "--format", "json", "--min-severity", "high", str(path)],
        capture_output=True,
        text=True,
    )
    findings = json.loads(audit.stdout or "[]")
    assert findings == [], audit.stdout
    assert audit.returncode == 0, audit.stderr


@pytest.mark.parametrize("deploy", ["pages", "netlify", "cloudflare", "none"])
def test_new_13_pins_permissions_and_no_expressions_in_scripts(deploy: str) -> None:
    text = render_scaffold(_answers(deploy, ["github"]), workflow=True).files[
        ".github/workflows/leaderboard.yml"
    ]
    for line in text.splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d", line), line
    data = yaml.safe_load(text)
    assert data["permissions"] == {}
    update = data["jobs"]["update"]
    assert update["permissions"] == {"contents": "write"}
    for step in update["steps"]:
        assert "${{" not in step.get("run", ""), step
    step = next(s for s in update["steps"] if s.get("name") == "Run pipeline")
    assert step["env"] == {"GITHUB_TOKEN": "${{ secrets.LEADERBOARD_GITHUB_TOKEN }}"}
    has_deploy_job = "deploy" in data["jobs"]
    assert has_deploy_job == (deploy == "pages")
    if deploy == "pages":
        assert data["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    uses = " ".join(str(s.get("uses", "")) + str(s.get("run", "")) for s in update["steps"])
    assert ("upload-pages-artifact" in uses) == (deploy == "pages")
    assert ("netlify-cli" in uses) == (deploy == "netlify")
    assert ("wrangler" in uses) == (deploy == "cloudflare")


def test_new_13_no_placeholders_means_no_env_block_and_no_secrets() -> None:
    scaffold = render_scaffold(_answers("pages", []), workflow=True)
    data = yaml.safe_load(scaffold.files[".github/workflows/leaderboard.yml"])
    step = next(s for s in data["jobs"]["update"]["steps"] if s.get("name") == "Run pipeline")
    assert "env" not in step and scaffold.secrets == []
    assert "No secrets are needed yet" in scaffold.files["README.md"]


def test_new_13_secret_names_skip_comments_and_data_dir() -> None:
    text = (
        "a: '${{ env.GITHUB_TOKEN }}'\nb: ${{ env.LEADERBOARD_DATA_DIR }}\n"
        "c: ${{ env.SLACK_API_TOKEN }}\n# d: ${{ env.COMMENTED }}\n"
    )
    assert secret_names(text) == [
        ("GITHUB_TOKEN", "LEADERBOARD_GITHUB_TOKEN"),
        ("SLACK_API_TOKEN", "SLACK_API_TOKEN"),
    ]


def test_new_13_no_workflow_flag(tmp_path: Path) -> None:
    assert init(tmp_path / "d", "--no-workflow", "--no-git").returncode == 0
    assert not (tmp_path / "d" / ".github").exists()


def test_eco_29_rules() -> None:
    assert parse_role("ops:Operations:Keeps lights on:hidden").hidden
    with pytest.raises(ValueError):
        parse_role("Ops:Operations")
    bad = InitAnswers(
        org_name="x",
        org_description="x",
        org_url="https://x.org",
        org_logo_url="logo.png",
        site_url="https://x.org",
        default_roles=False,
    )
    problems = check_answers(bad)
    assert any(p.startswith("--org-logo-url") for p in problems)
    assert any(p.startswith("--role") for p in problems)


# -- from nothing to a served site -----------------------------------------------------------


def test_end_to_end_init_validate_run_build_serve(tmp_path: Path) -> None:
    target = tmp_path / "acme-data"
    out = init(target, "--plugin", "dummy")
    assert out.returncode == 0, out.stderr
    for args in (["validate"], ["run"], ["build", "--out", str(target / "_site")]):
        step = run_cli(*args, "-d", str(target), timeout=600)
        assert step.returncode == 0, (args, step.stdout, step.stderr)
    assert list((target / "contributors").glob("*.md"))
    # The generated config also validates against `config-schema`'s JSON Schema.
    schema = json.loads(run_cli("config-schema").stdout)
    from leaderboard.yaml12 import load

    config = load((target / "config.yaml").read_text(encoding="utf-8")).value
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(config)) == []
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "leaderboard",
            "serve",
            "--dir",
            str(target / "_site"),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)(/\S*)", line)
        assert match, line
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(match.group(1) + match.group(2), timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status_code == 200
        assert "Acme Open Source Collective" in response.text
    finally:
        server.terminate()
        server.wait(timeout=10)
