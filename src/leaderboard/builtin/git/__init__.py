"""The local git plugin (ECO-55…ECO-57, NEW-12): commits and co-authored commits, offline.

Written against the public plugin API only, like any third-party plugin. Registered as the entry
point `git` → `leaderboard.builtin.git:plugin`. Each repository is read with one `git log` (ECO-56),
authors are attributed through `ctx.identities` (NEW-01), and the work of each repository is
checkpointed (CORE-27) together with where it was read up to, so a second run reads only new
commits and a failure in one repository loses nothing already stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from leaderboard import __version__
from leaderboard.builtin.git import log as gitlog
from leaderboard.builtin.git import state
from leaderboard.builtin.git.authors import Authors
from leaderboard.builtin.git.settings import (
    DEFINITION_SLUGS,
    GitSettings,
    RepoSpec,
    config_problems,
    parse,
)
from leaderboard.errors import PluginError
from leaderboard.gcpause import gc_paused
from leaderboard.plugins.api import ActivityDefinition, Record, RecordBatch, canonical
from leaderboard.plugins.context import PluginContext

ACTIVITY_DEFINITIONS: list[ActivityDefinition] = [
    ActivityDefinition("git_commit", "Commit", "Authored a commit", 1, "git-commit-horizontal"),
    ActivityDefinition("git_coauthor", "Co-authored Commit", "Co-authored a commit", 1, "users"),
]
TITLE_LIMIT = 200
BATCH = 500  # commits per RecordBatch: its records are built, stored and dropped while young


def _settings(ctx: PluginContext) -> GitSettings:
    return parse(dict(ctx.config), data_dir=ctx.data_dir, now=ctx.now, tz=ctx.tz)


def _email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:12]


class GitPlugin:
    """Static declarations plus `setup` (checks, tables, overrides) and `scrape`."""

    name = "git"
    version = __version__
    activity_definitions = ACTIVITY_DEFINITIONS

    @staticmethod
    def config_schema(config: dict[str, Any]) -> list[str]:
        """ECO-55 shapes; paths are checked by `setup`."""
        return config_problems(config)

    def setup(self, ctx: PluginContext) -> None:
        """Every repository must be a complete (not shallow) git work tree with its refs; all
        problems are listed at once, naming each repository, and fail only this plugin."""
        settings = _settings(ctx)
        problems: list[str] = []
        for repo in settings.repositories:
            problem = gitlog.repository_problem(repo.path)
            if problem is None:
                _, missing = gitlog.resolve_refs(repo.path, repo.refs)
                if missing:
                    problem = f"ref(s) {', '.join(missing)} name no commit"
            if problem is not None:
                problems.append(f"repository {repo.name} ({repo.path}): {problem}")
        if problems:
            raise PluginError("; ".join(problems))
        state.create_tables(ctx.db)
        self._apply_overrides(ctx, settings)

    @staticmethod
    def _apply_overrides(ctx: PluginContext, settings: GitSettings) -> None:
        """`activityDefinition` overrides (ECO-37 style) change a definition only while it still
        holds the built-in values: a definition edited in the data repo always wins."""
        for declared in ACTIVITY_DEFINITIONS:
            override = {
                k: v
                for k, v in settings.overrides.get(declared.slug, {}).items()
                if k != "disabled"
            }
            if not override:
                continue
            ctx.db.execute(
                "UPDATE activity_definition SET name = ?, description = ?, points = ?, icon = ? "
                "WHERE slug = ? AND name = ? AND description = ? AND points IS ? AND icon IS ?",
                (
                    override.get("name", declared.name),
                    override.get("description", declared.description),
                    override.get("points", declared.points),
                    override.get("icon", declared.icon),
                    declared.slug,
                    declared.name,
                    declared.description,
                    declared.points,
                    declared.icon,
                ),
            )

    def scrape(self, ctx: PluginContext) -> Iterator[Record | RecordBatch]:
        """Each repository in config order: its activities, then a checkpoint.

        The cyclic garbage collector is paused meanwhile (as the runner's reader pauses it): a
        large first read creates millions of short-lived tuples, strings and record dicts, none
        in reference cycles, and the collector walked them about every 700 allocations (0.15-0.3
        CPU-s for 100,000 commits). Reference counting frees them as usual."""
        settings = _settings(ctx)
        state.create_tables(ctx.db)
        authors = Authors(ctx, settings.create_contributors, settings.default_role)
        with gc_paused():
            for repo in settings.repositories:
                yield from self._repository(ctx, settings, repo, authors)
                ctx.checkpoint()

    def _repository(
        self, ctx: PluginContext, settings: GitSettings, repo: RepoSpec, authors: Authors
    ) -> Iterator[Record | RecordBatch]:
        tips, missing = gitlog.resolve_refs(repo.path, repo.refs)
        if missing:
            raise PluginError(
                f"repository {repo.name} ({repo.path}): ref(s) {', '.join(missing)} name no commit"
            )
        fingerprint = settings.fingerprint(repo, ctx.config.get("since") or ctx.config.get("days"))
        known = state.load(ctx.db, repo.name)
        waiting = state.pending(ctx.db, repo.name)
        relinked = [e for e in waiting if authors.lookup(e) is not None]
        full = not known or any(s.settings != fingerprint for s in known.values()) or bool(relinked)
        exclude: list[str] = []
        if not full:
            old_tips = sorted({s.sha for s in known.values()})
            if set(tips.values()) <= set(old_tips) and set(tips) <= set(known):
                ctx.logger.info(
                    f"Repository {repo.name}: no new commits",
                    {"repo": repo.name, "commits_read": 0, "range": None, "full": False},
                )
                return
            # Everything reachable from a remembered tip was read; a tip that no longer exists
            # (rewritten history) cannot be excluded, and its replacement is simply read.
            exclude = [sha for sha in old_tips if gitlog.is_commit(repo.path, sha)]
        if relinked:
            ctx.logger.info(
                f"Repository {repo.name}: reading again from the start, "
                f"{len(relinked)} address(es) are now linked to contributors",
                {"repo": repo.name},
            )
        include = list(dict.fromkeys(tips[r] for r in repo.refs if r in tips))
        since = canonical(settings.since) if settings.since else None
        args = gitlog.log_args(include, exclude, merges=settings.include_merges, since=since)
        total, chunks = gitlog.read_dated(repo.path, args, since=since)
        ctx.logger.info(
            f"Repository {repo.name}: read {total} commit(s)",
            {
                "repo": repo.name,
                "commits_read": total,
                "range": " ".join(include + (["--not", *exclude] if exclude else [])),
                "full": full,
            },
        )
        reader = _Attribution(settings, repo, authors)
        for dated in chunks:  # in order, while git still reads the later ones
            for start in range(0, len(dated), BATCH):
                yield RecordBatch(reader.activities(dated[start : start + BATCH]))
        state.save(ctx.db, repo.name, tips, fingerprint)
        state.set_pending(ctx.db, repo.name, reader.unresolved, replace=full)


@dataclass
class _Attribution:
    """Activities of one repository's commits (ECO-57), slice by slice. Addresses nobody owns
    are collected in `unresolved`; co-author contacts are mapped through `.mailmap` once each."""

    settings: GitSettings
    repo: RepoSpec
    authors: Authors
    unresolved: set[str] = field(default_factory=set)
    mapped: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # (name, email) as git printed them → contributor: a 100,000-commit history has a few hundred
    # distinct authors, so `Authors.resolve` (which normalises the address) runs once for each.
    owners: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def owner(self, name: str, email: str) -> str | None:
        key = (name, email)
        try:
            return self.owners[key]
        except KeyError:
            found = self.owners[key] = self.authors.resolve(name, email)
            if found is None:
                self.unresolved.add(email.strip().lower())
            return found

    def activities(self, dated: list[tuple[str, gitlog.Commit]]) -> list[Record]:
        """Activity records of the (occurred_at, commit) pairs, in order: each commit's own,
        then its co-authors'."""
        settings, repo = self.settings, self.repo
        commit_on = not settings.disabled("git_commit")
        coauthors_on = settings.co_authors and not settings.disabled("git_coauthor")
        if coauthors_on:
            contacts = [c for _, commit in dated for c in commit.co_authors if c not in self.mapped]
            if contacts:
                self.mapped.update(gitlog.mailmap_contacts(repo.path, contacts))
        owners, url, name = self.owners, repo.url, repo.name
        prefix = f"git_commit_{name}_"
        out: list[Record] = []
        append = out.append
        for occurred, commit in dated:
            sha, _, author_name, email, subject, co_authors, insertions, deletions, files = commit
            key = (author_name, email)
            author = owners[key] if key in owners else self.owner(author_name, email)
            if author is None and not co_authors:
                continue
            meta = {
                "repo": name,
                "sha": sha,
                "insertions": insertions,
                "deletions": deletions,
                "files_changed": files,
            }
            title = subject[:TITLE_LIMIT]
            link = url.replace("{sha}", sha) if url else None
            if commit_on and author is not None:
                append(
                    {
                        "kind": "activity",
                        "slug": prefix + sha,
                        "contributor": author,
                        "activity_definition": "git_commit",
                        "title": title,
                        "occurred_at": occurred,
                        "link": link,
                        "meta": meta,
                    }
                )
            if coauthors_on and co_authors:
                out.extend(self._co_authored(commit, author, occurred, title, link, meta))
        return out

    def _co_authored(
        self,
        commit: gitlog.Commit,
        author: str | None,
        occurred: str,
        title: str,
        link: str | None,
        meta: dict[str, Any],
    ) -> Iterator[Record]:
        credited = {author} if author is not None else set()
        seen = {commit.email.strip().lower()}
        for contact in commit.co_authors:
            name, email = self.mapped.get(contact, contact)
            key = email.strip().lower()
            if key in seen:
                continue
            seen.add(key)
            who = self.authors.resolve(name, email)
            if who is None:
                self.unresolved.add(key)
            if who is None or who in credited:
                continue
            credited.add(who)
            yield {
                "kind": "activity",
                "slug": f"git_coauthor_{self.repo.name}_{commit.sha}_{_email_hash(email)}",
                "contributor": who,
                "activity_definition": "git_coauthor",
                "title": f"Co-authored: {title}",
                "occurred_at": occurred,
                "link": link,
                "meta": dict(meta),
            }


plugin = GitPlugin()

__all__ = ["ACTIVITY_DEFINITIONS", "DEFINITION_SLUGS", "GitPlugin", "plugin"]
