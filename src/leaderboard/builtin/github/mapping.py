"""From raw GitHub items to activities (ECO-46, ECO-47, NEW-30): the domain half of the plugin.

Pure functions: no HTTP, no database. A `Draft` is an activity whose contributor is still a GitHub
login; `scrape` resolves logins to usernames afterwards. Slug formats are exactly upstream's so
re-scraping an adopted data repository updates rows instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from leaderboard.builtin.github.settings import GithubSettings
from leaderboard.builtin.github.sources import Repo, SourceResult, obj, parse_time
from leaderboard.plugins.api import canonical


@dataclass
class Draft:
    slug: str
    login: str
    bot: bool
    definition: str
    title: str
    text: str | None
    occurred_at: str
    link: str | None
    points: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def actor(node: Any) -> tuple[str, bool] | None:
    """(login, is_bot) of a GraphQL actor; a `Bot` gets the `[bot]` suffix REST uses (ECO-47)."""
    if not isinstance(node, dict):
        return None
    login = node.get("login")
    if not isinstance(login, str) or not login:
        return None
    if node.get("__typename") == "Bot":
        return (login if login.endswith("[bot]") else f"{login}[bot]"), True
    return login, login.endswith("[bot]")


def rest_user(user: Any) -> tuple[str, bool] | None:
    """(login, is_bot) of a REST user; REST bot logins already end in `[bot]`."""
    if not isinstance(user, dict):
        return None
    login = user.get("login")
    if not isinstance(login, str) or not login:
        return None
    return login, user.get("type") == "Bot" or login.endswith("[bot]")


def _when(value: Any) -> str | None:
    parsed = parse_time(value)
    return None if parsed is None else canonical(parsed)


def _nodes(container: Any) -> list[dict[str, Any]]:
    if not isinstance(container, dict) or not isinstance(container.get("nodes"), list):
        return []
    return [n for n in container["nodes"] if isinstance(n, dict)]


def map_issues(key: str, nodes: Iterable[dict[str, Any]]) -> list[Draft]:
    out: list[Draft] = []
    for issue in nodes:
        n, title, url = issue.get("number"), issue.get("title"), issue.get("url")
        if not isinstance(n, int):
            continue
        title = title if isinstance(title, str) else None
        author, created = actor(issue.get("author")), _when(issue.get("createdAt"))
        if author and created:
            out.append(
                Draft(f"issue_opened_{key}#{n}", *author, "issue_opened", f"Opened issue #{n}",
                      title, created, url)
            )  # fmt: skip
        assigned: dict[str, tuple[str, tuple[str, bool]]] = {}
        closes: list[tuple[str, Any]] = []
        for event in _nodes(issue.get("timelineItems")):
            when = _when(event.get("createdAt"))
            if when is None:
                continue
            if event.get("__typename") == "AssignedEvent":
                who = actor(event.get("assignee"))
                if who and (who[0] not in assigned or assigned[who[0]][0] <= when):
                    assigned[who[0]] = (when, who)
            elif event.get("__typename") == "ClosedEvent":
                closes.append((when, event.get("actor")))
        for when, who in assigned.values():
            out.append(
                Draft(f"issue_assigned_{key}#{n}_{who[0]}", *who, "issue_assigned",
                      f"Issue #{n} assigned", title, when, url)
            )  # fmt: skip
        closed_at = _when(issue.get("closedAt"))
        if issue.get("closed") and closed_at and closes:
            latest = max(closes, key=lambda c: c[0])
            closer = actor(latest[1])
            if closer:
                out.append(
                    Draft(f"issue_closed_{key}#{n}", *closer, "issue_closed",
                          f"Closed issue #{n}", title, closed_at, url)
                )  # fmt: skip
    return out


def map_comments(key: str, items: Iterable[dict[str, Any]]) -> list[Draft]:
    out: list[Draft] = []
    for comment in items:
        who, when = rest_user(comment.get("user")), _when(comment.get("created_at"))
        issue_url, node_id = comment.get("issue_url"), comment.get("node_id")
        if not (who and when and isinstance(issue_url, str) and isinstance(node_id, str)):
            continue
        number = issue_url.rstrip("/").rsplit("/", 1)[-1]
        out.append(
            Draft(f"commented_{key}#{number}_{node_id}", *who, "commented",
                  f"Commented on #{number}", None, when, comment.get("html_url"))
        )  # fmt: skip
    return out


REVIEW_TITLES = {
    "COMMENTED": "Reviewed PR #{n}",
    "APPROVED": "Approved PR #{n}",
    "CHANGES_REQUESTED": "Changes requested on PR #{n}",
}


def _reply_only(review: dict[str, Any]) -> bool:
    comments = _nodes(review.get("comments"))
    return bool(comments) and all(c.get("replyTo") for c in comments)


def map_pull_requests(key: str, nodes: Iterable[dict[str, Any]]) -> list[Draft]:
    out: list[Draft] = []
    for pr in nodes:
        n, url = pr.get("number"), pr.get("url")
        if not isinstance(n, int):
            continue
        title = pr.get("title") if isinstance(pr.get("title"), str) else None
        author = actor(pr.get("author"))
        created = _when(pr.get("createdAt"))
        if author and created:
            out.append(
                Draft(f"pr_opened_{key}#{n}", *author, "pr_opened",
                      f"Opened pull request #{n}", title, created, url)
            )  # fmt: skip
            merged = parse_time(pr.get("mergedAt"))
            start = parse_time(pr.get("createdAt"))
            if merged is not None and start is not None:
                tat = int((merged - start).total_seconds() * 1000)
                out.append(
                    Draft(f"pr_merged_{key}#{n}", *author, "pr_merged",
                          f"Merged pull request #{n}", title, canonical(merged), url,
                          meta={"pr_avg_tat": tat})
                )  # fmt: skip
        for review in _nodes(pr.get("reviews")):
            state, rid = review.get("state"), review.get("id")
            template = REVIEW_TITLES.get(str(state))
            who, when = actor(review.get("author")), _when(review.get("submittedAt"))
            if template is None or not (who and when and isinstance(rid, str)):
                continue  # DISMISSED and PENDING reviews, or unusable nodes
            if _reply_only(review):
                continue
            self_review = author is not None and author[0].lower() == who[0].lower()
            out.append(
                Draft(f"pr_reviewed_{key}#{n}_{state}_{rid}", *who, "pr_reviewed",
                      template.format(n=n), title, when, review.get("url"),
                      points=0 if self_review else None)
            )  # fmt: skip
    return out


def _commit(
    branch: str, item: dict[str, Any], settings: GithubSettings, default: str
) -> Draft | None:
    who = rest_user(item.get("author"))
    commit = obj(item.get("commit"))
    committer = obj(commit.get("committer"))
    when, sha = _when(committer.get("date")), item.get("sha")
    if not (who and when and isinstance(sha, str)):
        return None
    message = commit.get("message")
    message = message if isinstance(message, str) else ""
    return Draft(
        f"commited_{branch}_{sha}",
        *who,
        "commited",
        f"Pushed commit to {branch}",
        message.split("\n", 1)[0],
        when,
        item.get("html_url"),
        points=settings.commit_points(branch == default),
        meta={"branch": branch, "stats": item.get("stats")},
    )


def map_branch_commits(
    repo: Repo, items: Iterable[dict[str, Any]], settings: GithubSettings
) -> list[Draft]:
    found = (_commit(repo.default_branch, i, settings, repo.default_branch) for i in items)
    return [d for d in found if d is not None]


def map_push_commits(
    repo: Repo, items: Iterable[tuple[str, dict[str, Any]]], settings: GithubSettings
) -> list[Draft]:
    found = (_commit(branch, i, settings, repo.default_branch) for branch, i in items)
    return [d for d in found if d is not None]


def map_discussions(key: str, nodes: Iterable[dict[str, Any]]) -> list[Draft]:
    out: list[Draft] = []
    for d in nodes:
        n, url = d.get("number"), d.get("url")
        if not isinstance(n, int):
            continue
        title = d.get("title") if isinstance(d.get("title"), str) else None
        author, created = actor(d.get("author")), _when(d.get("createdAt"))
        if author and created:
            out.append(
                Draft(f"discussion_opened_{key}#{n}", *author, "discussion_opened",
                      f"Opened discussion #{n}", title, created, url)
            )  # fmt: skip
        answer = d.get("answer") if isinstance(d.get("answer"), dict) else None
        if answer:
            who, when = actor(answer.get("author")), _when(answer.get("createdAt"))
            if who and when:
                out.append(
                    Draft(f"discussion_answered_{key}#{n}", *who, "discussion_answered",
                          f"Answered discussion #{n}", title, when, answer.get("url"))
                )  # fmt: skip
    return out


def map_repository(
    key: str, repo: Repo, results: dict[str, SourceResult], settings: GithubSettings
) -> list[Draft]:
    """All drafts of one repository in source order, after ECO-47 post-processing: disabled
    definitions and blacklisted logins dropped, duplicate slugs dropped (first wins)."""
    drafts: list[Draft] = []
    for name, result in results.items():
        if name == "issues":
            drafts += map_issues(key, result.items)
        elif name == "comments":
            drafts += map_comments(key, result.items)
        elif name == "pull_requests":
            drafts += map_pull_requests(key, result.items)
        elif name == "branch_commits":
            drafts += map_branch_commits(repo, result.items, settings)
        elif name == "push_commits":
            drafts += map_push_commits(repo, result.items, settings)
        elif name == "discussions":
            drafts += map_discussions(key, result.items)
    seen: set[str] = set()
    kept: list[Draft] = []
    for draft in drafts:
        if settings.disabled(draft.definition) or draft.login.lower() in settings.blacklist:
            continue
        if draft.slug in seen:
            continue
        seen.add(draft.slug)
        kept.append(draft)
    return kept
