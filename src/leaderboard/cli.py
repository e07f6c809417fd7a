"""The `leaderboard` command line (CORE-02…CORE-12). Thin: parse options, call one library function.

Every command that touches a data dir shares the common options of CORE-03; their environment
variables are read here, once, and passed down explicitly so library code never reads globals.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeVar

import click

from leaderboard import __version__
from leaderboard.errors import LeaderboardError, UsageError
from leaderboard.invocation import Common
from leaderboard.logs import MASK, configure, get_logger

F = TypeVar("F", bound=Callable[..., Any])
PHASES = ("import", "setup", "scrape", "aggregate", "evaluate", "export")
_TRUE = {"1", "true", "yes"}


def env_flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in _TRUE


def common_options(func: F) -> F:
    """Attach the CORE-03 options; command-line values override environment variables."""
    options = [
        click.option(
            "--data-dir",
            "-d",
            "data_dir",
            metavar="PATH",
            help="Data dir (env LEADERBOARD_DATA_DIR).",
        ),
        click.option(
            "--db", "db", metavar="PATH", help="Working DB (env LEADERBOARD_DB, LIBSQL_DB_URL)."
        ),
        click.option(
            "--now",
            "now",
            metavar="TIMESTAMP",
            help="Fixed reference instant (env LEADERBOARD_NOW).",
        ),
        click.option("--offline", is_flag=True, default=None, help="Forbid all network access."),
        click.option("--debug", is_flag=True, default=None, help="DEBUG-level logging."),
        click.option("--quiet", "-q", is_flag=True, default=False, help="Only WARN and ERROR."),
        click.option(
            "--log-format",
            type=click.Choice(["text", "json"]),
            default=None,
            help="Log line format (env LEADERBOARD_LOG_FORMAT).",
        ),
        click.option(
            "--strict", is_flag=True, default=False, help="Treat validation warnings as errors."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_common(kwargs: dict[str, Any]) -> Common:
    env = dict(os.environ)
    log_format = kwargs.pop("log_format", None) or env.get("LEADERBOARD_LOG_FORMAT") or "text"
    if log_format not in ("text", "json"):
        raise UsageError(f"Invalid LEADERBOARD_LOG_FORMAT '{log_format}' (expected text or json)")
    offline = kwargs.pop("offline", None)
    debug = kwargs.pop("debug", None)
    quiet = bool(kwargs.pop("quiet", False))
    common = Common(
        data_dir=kwargs.pop("data_dir", None) or env.get("LEADERBOARD_DATA_DIR") or None,
        db=kwargs.pop("db", None),
        now=kwargs.pop("now", None) or env.get("LEADERBOARD_NOW") or None,
        offline=bool(offline) if offline is not None else env_flag(env, "LEADERBOARD_OFFLINE"),
        # An explicit `-q` beats LEADERBOARD_DEBUG from the environment (only `--debug` wins).
        debug=bool(debug)
        if debug is not None
        else env_flag(env, "LEADERBOARD_DEBUG") and not quiet,
        quiet=quiet,
        log_format=log_format,
        strict=bool(kwargs.pop("strict", False)),
        env=env,
        started=datetime.now(UTC),
    )
    configure(fmt=common.log_format, debug=common.debug, quiet=common.quiet)
    return common


def fail(exc: BaseException, common: Common | None) -> NoReturn:
    """Report an error as one ERROR line (traceback only with --debug) and exit with its code."""
    log = get_logger()
    if not log.handlers:
        configure()
    debug = bool(common and common.debug)
    if isinstance(exc, LeaderboardError):
        problems = getattr(exc, "problems", None) or []
        for problem in problems:
            click.echo(MASK(problem.format()), err=True)
        log.error(str(exc), exc_info=exc if debug else None)
        sys.exit(exc.exit_code)
    log.error(
        str(exc) or type(exc).__name__,
        exc_info=exc if debug else None,
        extra={"meta": {"error": str(exc)}},
    )
    sys.exit(1)


def guarded(body: Callable[[Common], int | None], kwargs: dict[str, Any]) -> NoReturn:
    common: Common | None = None
    try:
        common = make_common(kwargs)
        code = body(common)
    except click.exceptions.Exit:
        raise
    except click.ClickException:
        raise
    except KeyboardInterrupt:
        get_logger().error("Interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except BaseException as exc:
        fail(exc, common)
    sys.exit(code or 0)


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", message="leaderboard %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Collect contributions, award badges and publish a static leaderboard site."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(0)


@cli.command("run")
@click.argument("phases", nargs=-1)
@common_options
@click.option(
    "--plugin", "plugins", multiple=True, metavar="ID", help="Restrict plugin hooks to these ids."
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first plugin failure.")
@click.option(
    "--skip-invalid", is_flag=True, help="Leave invalid units out instead of refusing to run."
)
@click.option("--break-lock", is_flag=True, help="Remove an existing lock first.")
def run_cmd(
    phases: tuple[str, ...],
    plugins: tuple[str, ...],
    fail_fast: bool,
    skip_invalid: bool,
    break_lock: bool,
    **kwargs: Any,
) -> None:
    """Run the pipeline: import, setup, scrape, aggregate, evaluate, export (or the listed phases)."""
    for phase in phases:
        if phase not in PHASES:
            raise click.UsageError(f"Unknown phase: {phase}. Valid phases: {', '.join(PHASES)}")

    def body(common: Common) -> int:
        from leaderboard.commands import run_command

        return run_command(
            common,
            phases=phases,
            plugins=plugins,
            fail_fast=fail_fast,
            skip_invalid=skip_invalid,
            break_lock=break_lock,
        )

    guarded(body, kwargs)


@cli.command("validate")
@common_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format."
)
def validate_cmd(fmt: str, **kwargs: Any) -> None:
    """Check config and data files and print every problem; writes nothing."""

    def body(common: Common) -> int:
        from leaderboard.commands import validate_command

        return validate_command(common, fmt=fmt)

    guarded(body, kwargs)


@cli.command("doctor")
@common_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--online", is_flag=True, help="Also check tokens against the network.")
def doctor_cmd(fmt: str, online: bool, **kwargs: Any) -> None:
    """Environment and data-health report; writes nothing."""

    def body(common: Common) -> int:
        from leaderboard.doctor import doctor_command

        return doctor_command(common, fmt=fmt, online=online)

    guarded(body, kwargs)


def build_options(func: F) -> F:
    """The options of `build` (WEB-01), shared with `serve --build` (WEB-61)."""
    options = [
        click.option(
            "--out", default=None, metavar="DIR", help="Output directory (default _site)."
        ),
        click.option("--site-url", metavar="URL", help="Override meta.site_url."),
        click.option("--base-path", metavar="PATH", help="Override the base path."),
        click.option(
            "--from-files", is_flag=True, help="Import the data files into a temporary DB first."
        ),
        click.option("--public-db", metavar="PATH", help="Where to keep the public DB."),
        click.option("--clean", is_flag=True, help="Empty the output directory first."),
        click.option("--no-og", is_flag=True, help="Skip Open Graph images."),
        click.option("--no-avatars", is_flag=True, help="Do not download avatars."),
        click.option("--no-explorer", is_flag=True, help="Skip the Data Explorer."),
        click.option("--refresh-avatars", is_flag=True, help="Ignore the avatar cache."),
        click.option("--break-lock", is_flag=True, help="Remove an existing lock first."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


_BUILD_KEYS = {
    "out",
    "site_url",
    "base_path",
    "from_files",
    "public_db",
    "clean",
    "no_og",
    "no_avatars",
    "no_explorer",
    "refresh_avatars",
    "break_lock",
}


@cli.command("build")
@common_options
@build_options
def build_cmd(**kwargs: Any) -> None:
    """Generate the static site."""
    opts = {k: kwargs.pop(k) for k in list(kwargs) if k in _BUILD_KEYS}

    def body(common: Common) -> int:
        from leaderboard.commands import build_command

        return build_command(common, **opts)

    guarded(body, kwargs)


@cli.command("serve")
@click.argument("directory", required=False, default=None)
@click.option(
    "--dir", "dir_option", default=None, metavar="DIR", help="Site directory (default _site)."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--build", "build_first", is_flag=True, help="Run `leaderboard build` first.")
@common_options
@build_options
def serve_cmd(
    directory: str | None,
    dir_option: str | None,
    host: str,
    port: int,
    build_first: bool,
    **kwargs: Any,
) -> None:
    """Serve a built site locally with HTTP Range support."""
    opts = {k: kwargs.pop(k) for k in list(kwargs) if k in _BUILD_KEYS}
    site_dir = dir_option or directory or opts.get("out") or "_site"

    def body(common: Common) -> int:
        from leaderboard.commands import build_command, serve_command

        if build_first:
            code = build_command(common, **{**opts, "out": site_dir})
            if code:
                return code
        return serve_command(
            common, directory=site_dir, host=host, port=port, base_path=opts.get("base_path")
        )

    guarded(body, kwargs)


@cli.command("mcp")
@click.option("--transport", default="stdio", show_default=True, metavar="stdio|http")
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP bind address.")
@click.option("--port", "port_text", default="3001", show_default=True, metavar="PORT")
@click.option(
    "--path", "http_path", default="/mcp", show_default=True, help="Streamable HTTP path."
)
@click.option(
    "--data-dir", "-d", "data_dir", metavar="PATH", help="Data dir (env LEADERBOARD_DATA_DIR)."
)
@click.option("--db", "db", metavar="PATH", help="DB to serve (env LEADERBOARD_DB).")
@click.option("--db-url", "db_url", metavar="URL", help="A file: URL or path (alias of --db).")
@click.option(
    "--now", "now", metavar="TIMESTAMP", help="Fixed reference instant (env LEADERBOARD_NOW)."
)
@click.option("--include-private", is_flag=True, help="Serve the working DB unfiltered.")
@click.option("--token", metavar="TOKEN", help="Bearer token for HTTP (env LEADERBOARD_MCP_TOKEN).")
@click.option("--debug", is_flag=True, default=None, help="DEBUG-level logging.")
def mcp_cmd(
    transport: str,
    host: str,
    port_text: str,
    http_path: str,
    db_url: str | None,
    include_private: bool,
    token: str | None,
    **kwargs: Any,
) -> None:
    """Run the MCP server for AI assistants (stdio or HTTP)."""
    from leaderboard.mcp.settings import TOKEN_ENV, check_path, check_port, check_transport

    try:
        checked_transport = check_transport(transport)
        port = check_port(port_text)
        path = check_path(http_path)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    db = kwargs.pop("db", None) or db_url
    cli_data_dir = kwargs.get("data_dir")

    def body(common: Common) -> int:
        from leaderboard.mcp.main import McpOptions, run

        return run(
            McpOptions(
                host=host,
                data_dir=cli_data_dir,
                db=db,
                now=common.now,
                include_private=include_private,
                token=token or common.env.get(TOKEN_ENV) or None,
                debug=common.debug,
                transport=checked_transport,
                port=port,
                path=path,
            ),
            common.env,
        )

    guarded(body, kwargs)


_INIT_VALUES = (
    ("--org-name", "org_name", "Organisation name (required)."),
    ("--org-description", "org_description", "Organisation description (required)."),
    ("--org-url", "org_url", "Organisation URL (required)."),
    ("--org-logo-url", "org_logo_url", "Logo URL or /path (required)."),
    ("--org-start-date", "org_start_date", "YYYY-MM-DD."),
    ("--github-url", "github_url", "GitHub organisation URL."),
    ("--slack-url", "slack_url", "Slack invite URL."),
    ("--linkedin-url", "linkedin_url", "LinkedIn URL."),
    ("--youtube-url", "youtube_url", "YouTube URL."),
    ("--email", "email", "Contact e-mail."),
    ("--meta-title", "meta_title", "Site title (default '<org> Leaderboard')."),
    ("--meta-description", "meta_description", "Site description."),
    ("--meta-image-url", "meta_image_url", "Social image URL (default: logo)."),
    ("--site-url", "site_url", "Where the site is published (required)."),
    ("--favicon-url", "favicon_url", "Favicon URL (default: logo)."),
    ("--data-source", "data_source", "URL of this data repository."),
    ("--theme-url", "theme_url", "Custom theme CSS URL."),
    ("--timezone", "timezone", "IANA time zone (default UTC)."),
)


def init_options(func: F) -> F:
    """One flag per ECO-29 prompt, so `init --no-input` is fully scriptable."""
    for flag, dest, text in reversed(_INIT_VALUES):
        func = click.option(flag, dest, metavar="TEXT", default=None, help=text)(func)
    return func


@cli.command("init")
@click.argument("directory", required=False, default=".")
@click.option("--no-input", is_flag=True, help="Never prompt; take every value from flags.")
@init_options
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="KEY:NAME[:DESCRIPTION][:hidden]",
    help="A custom role (repeatable).",
)
@click.option("--no-default-roles", is_flag=True, help="Do not add the core/contributor roles.")
@click.option(
    "--plugin",
    "plugins",
    multiple=True,
    type=click.Choice(["github", "slack", "git", "dummy"]),
    help="Enable a plugin (repeatable; dummy = seeded demo data).",
)
@click.option("--workflow/--no-workflow", default=True, help="Write the GitHub Actions workflow.")
@click.option(
    "--deploy",
    type=click.Choice(["pages", "netlify", "cloudflare", "none"]),
    default="pages",
    show_default=True,
    help="Where the workflow deploys the site.",
)
@click.option(
    "--schedule", default="0 */12 * * *", show_default=True, metavar="CRON", help="Update schedule."
)
@click.option(
    "--package",
    default=None,
    metavar="SPEC",
    help="What the workflow pip-installs (default: this version from PyPI).",
)
@click.option("--no-git", is_flag=True, help="Do not git init/commit.")
def init_cmd(
    directory: str,
    no_input: bool,
    roles: tuple[str, ...],
    no_default_roles: bool,
    plugins: tuple[str, ...],
    workflow: bool,
    deploy: str,
    schedule: str,
    package: str | None,
    no_git: bool,
    **values: str | None,
) -> None:
    """Scaffold a data repository with config, README and a deploy workflow."""
    from pathlib import Path

    from leaderboard.scaffold.answers import InitAnswers, parse_role

    parsed = []
    for spec in roles:
        try:
            parsed.append(parse_role(spec))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--role") from None
    given = InitAnswers(
        **values,
        roles=parsed,
        default_roles=not no_default_roles,
        plugins=list(dict.fromkeys(plugins)),
        schedule=schedule,
        deploy=deploy,
        package=package,
    )

    def body(common: Common) -> int:
        from leaderboard.scaffold.init import is_interactive, run_init

        return run_init(
            Path(directory),
            given,
            interactive=is_interactive(no_input),
            workflow=workflow,
            git=not no_git,
        )

    guarded(body, {})


@cli.command("new-plugin")
@click.argument("directory", required=False, default=".")
@click.option("--name", default=None, help="Plugin name (^[a-z0-9-]+$).")
@click.option("--description", default=None, help="One-line description.")
@click.option("--author", default=None, help="Author (default: git config user.name).")
@click.option("--no-input", is_flag=True, help="Never prompt; take every value from flags.")
def new_plugin_cmd(
    directory: str, name: str | None, description: str | None, author: str | None, no_input: bool
) -> None:
    """Scaffold a plugin project with tests that pass out of the box."""

    def body(common: Common) -> int:
        from pathlib import Path

        from leaderboard.scaffold.plugin import is_interactive, run_new_plugin

        return run_new_plugin(
            Path(directory),
            name=name,
            description=description,
            author=author,
            interactive=is_interactive(no_input),
        )

    guarded(body, {})


@cli.command("plugins")
@common_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--installed", is_flag=True, help="Also list every installed plugin entry point.")
def plugins_cmd(fmt: str, installed: bool, **kwargs: Any) -> None:
    """Report the configured plugins: kind, version, hooks, declarations, status."""

    def body(common: Common) -> int:
        from leaderboard.commands import plugins_command

        return plugins_command(common, fmt=fmt, installed=installed)

    guarded(body, kwargs)


@cli.command("migrate-legacy")
@common_options
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option(
    "--remove-legacy", is_flag=True, help="Delete converted legacy files after a successful run."
)
@click.option(
    "--map-definition",
    "map_definition",
    multiple=True,
    metavar="OLD=NEW",
    help="Rename a definition slug (and activity slugs starting with OLD_).",
)
@click.option(
    "--modern-github-slugs",
    is_flag=True,
    help="Shorthand for comment_created=commented and commit_created=commited.",
)
@click.option(
    "--default-role",
    default="contributor",
    show_default=True,
    metavar="ROLE",
    help="Role of stub profiles created for contributors without one.",
)
@click.option("--break-lock", is_flag=True, help="Remove an existing lock first.")
def migrate_legacy_cmd(
    dry_run: bool,
    remove_legacy: bool,
    map_definition: tuple[str, ...],
    modern_github_slugs: bool,
    default_role: str,
    break_lock: bool,
    **kwargs: Any,
) -> None:
    """Convert upstream's legacy data layout (data/<source>/activities/*.json) in place."""

    def body(common: Common) -> int:
        from leaderboard.commands import migrate_legacy_command

        return migrate_legacy_command(
            common,
            dry_run=dry_run,
            remove_legacy=remove_legacy,
            map_definition=map_definition,
            modern_github_slugs=modern_github_slugs,
            default_role=default_role,
            break_lock=break_lock,
        )

    guarded(body, kwargs)


@cli.command("demo")
@click.argument("directory", required=False, default="./data")
@click.option("--contributors", default=30, show_default=True, type=int)
@click.option("--days", default=90, show_default=True, type=int)
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--force", is_flag=True, help="Replace an existing demo data dir.")
@click.option("--build/--no-build", default=True, show_default=True, help="Also build the site.")
@click.option(
    "--now", "now", metavar="TIMESTAMP", help="Fixed reference instant (env LEADERBOARD_NOW)."
)
@click.option("--offline", is_flag=True, default=None)
@click.option("--debug", is_flag=True, default=None)
@click.option("--quiet", "-q", is_flag=True, default=False)
@click.option("--log-format", type=click.Choice(["text", "json"]), default=None)
def demo_cmd(
    directory: str, contributors: int, days: int, seed: int, force: bool, build: bool, **kwargs: Any
) -> None:
    """Create a demo data repo from seeded dummy data, run all phases and build the site."""
    for name, value in (("--contributors", contributors), ("--days", days), ("--seed", seed)):
        if value <= 0:
            raise click.BadParameter(f"must be a positive integer (got {value})", param_hint=name)

    def body(common: Common) -> int:
        from pathlib import Path

        from leaderboard.demo import create_demo

        return create_demo(
            common,
            directory=Path(directory),
            contributors=contributors,
            days=days,
            seed=seed,
            force=force,
            build=build,
        )

    guarded(body, kwargs)


@cli.command("identities")
@common_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--suggest", is_flag=True, help="Propose links for unresolved accounts.")
def identities_cmd(fmt: str, suggest: bool, **kwargs: Any) -> None:
    """Identity-linking report: accounts, conflicts, unresolved accounts."""

    def body(common: Common) -> int:
        from leaderboard.identity_report import identities_command

        return identities_command(common, fmt=fmt, with_suggestions=suggest)

    guarded(body, kwargs)


@cli.command("merge-contributors")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="INTO")
@common_options
@click.option("--dry-run", is_flag=True, help="Print the planned changes; write nothing.")
def merge_cmd(source: str, target: str, dry_run: bool, **kwargs: Any) -> None:
    """Fold contributor FROM into INTO (activities, badges, identities)."""

    def body(common: Common) -> int:
        from leaderboard.merge import merge_command

        return merge_command(common, source=source, target=target, dry_run=dry_run)

    guarded(body, kwargs)


@cli.command("digest")
@click.argument("kind", type=click.Choice(["weekly", "inactivity"]))
@common_options
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "slack", "json"]), default="markdown"
)
@click.option("--post", "do_post", is_flag=True, help="Send it to leaderboard.digest.webhook_url.")
def digest_cmd(kind: str, fmt: str, do_post: bool, **kwargs: Any) -> None:
    """Weekly digest or inactivity report (public view, pseudonyms applied)."""

    def body(common: Common) -> int:
        from leaderboard.digest import digest_command

        return digest_command(common, kind=kind, fmt=fmt, do_post=do_post)

    guarded(body, kwargs)


@cli.command("config-schema")
def config_schema_cmd() -> None:
    """Print the JSON Schema of config.yaml (for editors and CI)."""
    from leaderboard.config.jsonschema import render_schema

    click.echo(render_schema(), nl=False)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    logging.captureWarnings(True)
    cli.main(args=argv, prog_name="leaderboard")


def mcp_main() -> None:
    """`leaderboard-mcp` is `leaderboard mcp` (ECO-01)."""
    main(["mcp", *sys.argv[1:]])
