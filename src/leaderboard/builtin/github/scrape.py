"""The scrape hook's orchestration (ECO-40, ECO-45, ECO-47, ECO-48, NEW-27).

Repositories are fetched concurrently — every source of every repository takes a slot of one
limiter of `concurrency` slots — but persisted strictly in listing order, one repository at a
time, each followed by `ctx.checkpoint()` and a progress write. So the database ends identical
whatever the timing, a killed run keeps every repository it finished, and memory stays bounded
(only a window of repositories ahead of the one being persisted is in flight).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from leaderboard.builtin.github import progress
from leaderboard.builtin.github.client import GitHubClient, GitHubError, TokenPool, one_line
from leaderboard.builtin.github.mapping import Draft, map_repository
from leaderboard.builtin.github.settings import GithubSettings, format_since
from leaderboard.builtin.github.sources import (
    Repo,
    SourceResult,
    fetch_branch_commits,
    fetch_comments,
    fetch_discussions,
    fetch_issues,
    fetch_pull_requests,
    fetch_push_commits,
    list_repositories,
    parse_time,
)
from leaderboard.plugins.api import Record
from leaderboard.plugins.context import PluginContext


class ScrapeFailed(RuntimeError):
    """The scrape hook failed as a whole (authentication, listing, failOnPartial); the message is
    what the run summary shows, so it names the request and never carries a token."""


class Scraper:
    """One scrape hook call."""

    def __init__(
        self,
        ctx: PluginContext,
        settings: GithubSettings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.clock = clock
        self.started = time.monotonic()
        self.usernames: dict[str, str] = {}
        self.limiter = asyncio.Semaphore(settings.concurrency)
        self.progress_dir = self._progress_dir()
        self.sections: dict[str, dict[str, Any]] = {}
        self.previous: dict[str, dict[str, Any]] = {}
        self.partial_repos: list[str] = []
        self.definitions: set[str] = set()

    # -- progress -----------------------------------------------------------------------------

    def _progress_dir(self) -> Path | None:
        if not self.settings.progress_files:
            return None
        raw = self.settings.data_dir
        if raw is None:
            return self.ctx.data_dir
        path = Path(raw)
        return path if path.is_absolute() else self.ctx.data_dir / path

    def _stamp(self) -> str:
        """ctx.now advanced by the hook's elapsed time: deterministic under an injected now,
        meaningful to someone watching a two-hour backfill."""
        elapsed = int(time.monotonic() - self.started)
        return format_since(self.ctx.now + timedelta(seconds=elapsed))

    def _write_progress(self) -> None:
        if self.progress_dir is None or not self.sections:
            return
        for section in self.sections.values():
            progress.recount(section)
            section["updatedAt"] = self._stamp()
        try:
            progress.write(self.progress_dir, self.sections)
        except OSError as exc:
            self.ctx.logger.warning(
                f"Cannot write progress files in {self.progress_dir}; continuing without them",
                {"error": one_line(str(exc))},
            )
            self.progress_dir = None

    # -- the hook -----------------------------------------------------------------------------

    async def run(self) -> AsyncIterator[Record]:
        """Activities as records, repository by repository in listing order; the runner upserts
        them (changed rows only) and the checkpoint after each repository commits them."""
        # Read state here, not in __init__: the runner may call the hook on another thread than
        # the one that drives it, and DB access belongs to the driving thread (CORE-26).
        ctx = self.ctx
        if self.progress_dir is not None:
            self.previous = progress.sections(progress.read(self.progress_dir))
        self.definitions = {
            str(d["slug"]) for d in ctx.queries.activity_definitions.get_all(ctx.db)
        }
        async with self.ctx.async_http(timeout=30.0) as http:
            client = GitHubClient(
                http,
                TokenPool(self.settings.tokens),
                graphql_url=self.settings.graphql_url,
                sleep=self.ctx.async_sleep,
                logger=self.ctx.logger,
                max_rate_limit_wait=self.settings.max_rate_limit_wait,
                clock=self.clock,
            )
            for index, org in enumerate(self.settings.orgs):
                async for record in self._org(client, org, first=index == 0):
                    yield record
        if self.settings.fail_on_partial and self.partial_repos:
            raise ScrapeFailed(
                f"{len(self.partial_repos)} repositories were partial or failed "
                f"(failOnPartial): {', '.join(self.partial_repos[:10])}"
                + (" …" if len(self.partial_repos) > 10 else "")
            )

    async def _org(self, client: GitHubClient, org: str, *, first: bool) -> AsyncIterator[Record]:
        settings = self.settings
        since = settings.since
        previous = self.previous.get(org)
        done: set[str] = set()
        resumed = bool(settings.resume and previous and previous.get("finished") is False)
        if resumed and previous is not None:
            recorded = parse_time(previous.get("since"))
            since = recorded or since
            done = {n for n, r in previous["repos"].items() if r.get("status") == "completed"}
        try:
            repos = await list_repositories(
                client,
                settings.api_url,
                org,
                since,
                only=settings.repositories,
                exclude=settings.exclude,
            )
        except GitHubError as exc:
            if exc.status == 401:
                raise ScrapeFailed(
                    f"GitHub authentication failed ({exc.request}: HTTP 401)"
                ) from None
            raise ScrapeFailed(f"Listing the repositories of {org} failed: {exc}") from None
        since_text = format_since(since)
        section = progress.new_section(org, since_text, self._stamp(), len(repos))
        if resumed and previous is not None:
            section["startedAt"] = previous.get("startedAt", section["startedAt"])
            section["repos"] = {n: r for n, r in previous["repos"].items() if n in done}
            self.ctx.logger.info(
                f"Resuming the unfinished scrape of {org}: {len(done)} repositories already done",
                {"since": since_text},
            )
        self.sections[org] = section
        todo = [r for r in repos if r.name not in done]
        self.ctx.logger.info(
            f"{org}: {len(repos)} repositories updated since {since_text}; {len(todo)} to scrape",
            {"concurrency": settings.concurrency},
        )
        window = 1 if settings.concurrency == 1 else settings.concurrency * 3
        tasks: dict[int, asyncio.Task[dict[str, SourceResult]]] = {}

        def start(i: int) -> None:
            repo = todo[i]
            section["repos"][repo.name] = {
                "repo": repo.name,
                "status": "in_progress",
                "activitiesCount": 0,
            }
            tasks[i] = asyncio.ensure_future(self._fetch(client, org, repo, since, since_text))

        try:
            for i in range(min(window, len(todo))):
                start(i)
            self._write_progress()
            for i, repo in enumerate(todo):
                results = await tasks.pop(i)
                if i + window < len(todo):
                    start(i + window)
                key = repo.name if first else f"{org}__{repo.name}"
                records = self._records(section, key, repo, results)
                for record in records:
                    yield record
                self.ctx.checkpoint()
                self._write_progress()
        finally:
            for task in tasks.values():
                task.cancel()
        section["finished"] = True
        self._write_progress()

    async def _fetch(
        self, client: GitHubClient, org: str, repo: Repo, since: Any, since_text: str
    ) -> dict[str, SourceResult]:
        api = self.settings.api_url
        jobs: list[tuple[str, Callable[[], Awaitable[SourceResult]]]] = [
            ("issues", lambda: fetch_issues(client, org, repo.name, since)),
            ("comments", lambda: fetch_comments(client, api, org, repo.name, since_text)),
            ("pull_requests", lambda: fetch_pull_requests(client, org, repo.name, since)),
            ("branch_commits", lambda: fetch_branch_commits(client, api, org, repo, since_text)),
            ("push_commits", lambda: fetch_push_commits(client, api, org, repo.name, since)),
        ]
        if self.settings.discussions:
            jobs.append(("discussions", lambda: fetch_discussions(client, org, repo.name, since)))

        async def run(name: str, job: Callable[[], Awaitable[SourceResult]]) -> SourceResult:
            async with self.limiter:
                try:
                    return await job()
                except Exception as exc:  # a bug or an unforeseen shape: this source only
                    self.ctx.logger.warning(
                        f"{repo.name}: source {name} failed",
                        {"error": one_line(f"{type(exc).__name__}: {exc}")},
                    )
                    return SourceResult(name).fail(f"{type(exc).__name__}: {exc}")

        if self.settings.concurrency == 1:
            found = [await run(name, job) for name, job in jobs]
        else:
            found = list(await asyncio.gather(*(run(name, job) for name, job in jobs)))
        return {r.name: r for r in found}

    # -- persisting ---------------------------------------------------------------------------

    def _records(
        self, section: dict[str, Any], key: str, repo: Repo, results: dict[str, SourceResult]
    ) -> list[Record]:
        """The repository's activities, and its progress entry; an activity whose contributor
        cannot be resolved or whose definition is missing is counted and logged, not fatal."""
        ctx = self.ctx
        drafts = map_repository(key, repo, results, self.settings)
        records: list[Record] = []
        saved, failures, first_error = 0, 0, ""
        for draft in drafts:
            try:
                records.append(self._record(draft))
                saved += 1
            except Exception as exc:
                failures += 1
                first_error = first_error or one_line(f"{draft.slug}: {exc}")
                ctx.logger.warning(
                    f"{repo.name}: could not save activity {draft.slug}",
                    {"error": one_line(str(exc))},
                )
        sources = {
            r.name: {"status": r.status, **({"error": r.error} if r.error else {})}
            for r in results.values()
        }
        entry: dict[str, Any] = {"repo": repo.name, "status": "completed", "activitiesCount": saved}
        if failures:
            entry["status"] = "failed"
            entry["error"] = one_line(
                f"{failures} activities could not be saved; first: {first_error}"
            )
        elif any(s["status"] != "completed" for s in sources.values()):
            entry["status"] = "partial"
            bad = [n for n, s in sources.items() if s["status"] != "completed"]
            entry["error"] = f"incomplete sources: {', '.join(bad)}"
        entry["completedAt"] = self._stamp()
        entry["sources"] = sources
        section["repos"][repo.name] = entry
        for name, source in sources.items():
            if source["status"] != "completed":
                ctx.logger.warning(
                    f"{repo.name}: source {name} {source['status']}: {source.get('error', '')}"
                )
        if entry["status"] != "completed":
            self.partial_repos.append(f"{section['org']}/{repo.name}")
            ctx.logger.warning(f"{repo.name}: {entry['status']}", {"error": entry["error"]})
        ctx.logger.info(
            f"{repo.name}: {saved} activities",
            {"status": entry["status"], "sources": {n: s["status"] for n, s in sources.items()}},
        )
        return records

    def _username(self, login: str, bot: bool) -> str:
        found = self.usernames.get(login)
        if found is not None:
            return found
        settings, ids = self.settings, self.ctx.identities
        defaults: dict[str, Any] = {
            "role": settings.bot_role if bot else settings.default_role,
            "avatar_url": f"https://avatars.githubusercontent.com/{login}",
            "social_profiles": {"github": f"https://github.com/{login}"},
            "meta": {},
        }
        if bot:
            defaults["bot"] = True
        try:
            username = ids.resolve_or_create("github", login, username=login, defaults=defaults)
        except Exception as exc:
            ids.report_unresolved("github", login, hint=one_line(str(exc)))
            raise
        if bot:
            ids.mark_bot(username)
        self.usernames[login] = username
        return username

    def _record(self, draft: Draft) -> Record:
        """An activity record (CORE-26) as a plain dict: the runner would otherwise deep-copy
        each dataclass to read it, a third of a large scrape's CPU time."""
        if draft.definition not in self.definitions:
            raise ValueError(f"activity definition '{draft.definition}' does not exist")
        return {
            "kind": "activity",
            "slug": draft.slug,
            "contributor": self._username(draft.login, draft.bot),
            "activity_definition": draft.definition,
            "occurred_at": draft.occurred_at,
            "title": draft.title,
            "link": draft.link,
            "text": draft.text,
            "points": draft.points,
            "meta": draft.meta,
        }
