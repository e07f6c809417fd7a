"""`leaderboard init [DIR]` (ECO-28…31): ask (or take flags), check everything, then write.

Prompts are used only when stdin is a terminal and `--no-input` is absent; otherwise the flags are
the whole input and missing required values are an error listing all of them (exit 2).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click

from leaderboard.errors import LeaderboardError, UsageError
from leaderboard.scaffold import answers as rules
from leaderboard.scaffold.answers import InitAnswers, Role
from leaderboard.scaffold.datarepo import (
    check_target,
    git_commit,
    render_scaffold,
    write_scaffold,
)


class SetupCancelled(LeaderboardError):
    """Ctrl-C or end of input at a prompt: nothing is written (ECO-28)."""

    exit_code = 1


Check = Callable[[str], str | None]


def _ask(
    label: str, default: str | None = None, *, check: Check | None = None, required: bool = False
) -> str | None:
    """One prompt; re-asks with the reason until the answer is valid (ECO-29)."""
    while True:
        try:
            raw = click.prompt(
                label, default=default if default is not None else "", show_default=bool(default)
            )
        except (click.Abort, EOFError, KeyboardInterrupt):
            raise SetupCancelled("Setup cancelled.") from None
        value = str(raw).strip()
        if not value:
            if required:
                click.echo("  This value is required.", err=True)
                continue
            return None
        problem = check(value) if check else None
        if problem:
            click.echo(f"  {problem}", err=True)
            continue
        return value


def _confirm(label: str, default: bool) -> bool:
    try:
        return bool(click.confirm(label, default=default))
    except (click.Abort, EOFError, KeyboardInterrupt):
        raise SetupCancelled("Setup cancelled.") from None


def prompt_answers(given: InitAnswers) -> InitAnswers:
    """ECO-29's prompts in order; values given as flags become the defaults shown."""
    a = replace(given)
    a.org_name = _ask("Organisation name", given.org_name, required=True)
    a.org_description = _ask("Description", given.org_description, required=True)
    a.org_url = _ask("Organisation URL", given.org_url, check=rules.url_problem, required=True)
    a.org_logo_url = _ask("Logo URL", given.org_logo_url, check=rules.logo_problem, required=True)
    a.org_start_date = _ask(
        "Start date (YYYY-MM-DD, optional)", given.org_start_date, check=rules.date_problem
    )
    if _confirm("Add social media links?", True):
        a.github_url = _ask("GitHub URL", given.github_url, check=rules.url_problem)
        a.slack_url = _ask("Slack URL", given.slack_url, check=rules.url_problem)
        a.linkedin_url = _ask("LinkedIn URL", given.linkedin_url, check=rules.url_problem)
        a.youtube_url = _ask("YouTube URL", given.youtube_url, check=rules.url_problem)
        a.email = _ask("Contact e-mail", given.email, check=rules.email_problem)
    org = a.org_name
    a.meta_title = _ask("Site title", given.meta_title or f"{org} Leaderboard")
    a.meta_description = _ask(
        "Site description", given.meta_description or f"{org} contributor leaderboard"
    )
    a.meta_image_url = _ask(
        "Site image URL", given.meta_image_url or a.org_logo_url, check=rules.logo_problem
    )
    a.site_url = _ask(
        "Site URL (where the site will be published)",
        given.site_url,
        check=rules.url_problem,
        required=True,
    )
    a.favicon_url = _ask(
        "Favicon URL", given.favicon_url or a.org_logo_url, check=rules.logo_problem
    )
    owner = rules.github_owner(a.github_url) or "your-org"
    a.data_source = _ask(
        "Data repository URL",
        given.data_source or f"https://github.com/{owner}/leaderboard-data",
        check=rules.url_problem,
    )
    a.timezone = _ask("Time zone", given.timezone or "UTC", check=rules.timezone_problem)
    if _confirm("Use custom theme CSS URL?", bool(given.theme_url)):
        a.theme_url = _ask(
            "Theme CSS URL", given.theme_url, check=rules.logo_problem, required=True
        )
    a.default_roles = _confirm("Add default roles (core, contributor)?", given.default_roles)
    roles = list(given.roles)
    taken = {r.key for r in rules.all_roles(replace(a, roles=roles))}
    while True:
        needed = not a.default_roles and not roles
        label = "Custom role key" + (
            " (at least one role is needed)" if needed else " (empty to finish)"
        )
        key = _ask(
            label,
            check=lambda k: (
                rules.role_slug_problem(k) or (f"role {k!r} already exists" if k in taken else None)
            ),
            required=needed,
        )
        if key is None:
            break
        name = _ask("  Display name", key.capitalize(), required=True) or key
        description = _ask("  Description (optional)")
        hidden = _confirm("  Hide this role from leaderboard?", False)
        roles.append(Role(key, name, description, hidden))
        taken.add(key)
    a.roles = roles
    default_plugins = ",".join(given.plugins)
    while True:
        raw = _ask(
            f"Plugins to enable (comma-separated: {', '.join(rules.PLUGIN_CHOICES)}; "
            "empty for none)",
            default_plugins or None,
        )
        chosen = [p.strip() for p in (raw or "").split(",") if p.strip()]
        unknown = [p for p in chosen if p not in rules.PLUGIN_CHOICES]
        if not unknown:
            a.plugins = list(dict.fromkeys(chosen))
            break
        click.echo(f"  Unknown plugin(s): {', '.join(unknown)}", err=True)
    return a


def run_init(
    directory: Path,
    given: InitAnswers,
    *,
    interactive: bool,
    workflow: bool,
    git: bool,
    echo: Callable[[str], None] = click.echo,
) -> int:
    """Check the target, gather and check answers, render everything, then write."""
    directory = directory.expanduser().absolute()
    check_target(directory)
    if interactive:
        given = prompt_answers(given)
    else:
        missing = rules.missing_required(given)
        if missing:
            raise UsageError(
                "Missing required values (pass them as flags or drop --no-input): "
                + ", ".join(missing)
            )
    problems = rules.check_answers(given)
    if problems:
        raise UsageError("Invalid values:\n  " + "\n  ".join(problems))
    answers = rules.normalised(given)
    scaffold = render_scaffold(answers, workflow=workflow, package=given.package)
    write_scaffold(directory, scaffold)
    if git:
        git_commit(directory)
    echo(f"Created a leaderboard data repository in {directory}")
    echo("Next steps:")
    echo("  1. Review config.yaml (plugins, roles, badges).")
    if scaffold.secrets:
        echo("  2. Create these repository secrets: " + ", ".join(scaffold.secrets))
    else:
        echo("  2. Add repository secrets for any plugin tokens you configure (see README.md).")
    echo(f"  3. Run `leaderboard validate -d {directory}` and `leaderboard run -d {directory}`.")
    echo("  4. Commit and push; the workflow then updates and deploys the site on its schedule.")
    return 0


def is_interactive(no_input: bool) -> bool:
    return not no_input and sys.stdin.isatty()
