"""The requests of ECO-40…45 and NEW-30 with their paging and stop rules.

Each fetcher returns raw GitHub items (no activity knowledge: that is `mapping`) in a
`SourceResult` whose status follows ECO-48: `completed`, `partial` (some pages collected before a
failure) or `failed`. A source never raises for a GitHub failure, so one failing source leaves the
others of the repository intact (a rate-limit wait beyond `maxRateLimitWait` is such a failure,
and fails fast for the sources that follow). Only a failed listing raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from leaderboard.builtin.github.client import (
    GitHubClient,
    GitHubError,
    GraphQLError,
    RateLimitWaitExceeded,
    one_line,
)
from leaderboard.builtin.github.graphql import DISCUSSIONS, ISSUES, PAGE_SIZES, PULL_REQUESTS

PER_PAGE = 100
MAX_EVENT_PAGES = 3
ZERO_SHA = "0" * 40

# ECO-48 source names in the fixed order of ECO-45 (plus NEW-30's sixth source).
SOURCE_NAMES: tuple[str, ...] = (
    "issues",
    "comments",
    "pull_requests",
    "branch_commits",
    "push_commits",
    "discussions",
)


def parse_time(value: Any) -> datetime | None:
    """A GitHub ISO timestamp as an aware datetime, or None when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def obj(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (malformed items degrade, not crash)."""
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Repo:
    name: str
    html_url: str
    default_branch: str
    updated_at: str


@dataclass
class SourceResult:
    name: str
    items: list[Any] = field(default_factory=list)
    status: str = "completed"
    error: str | None = None

    def fail(self, error: str) -> SourceResult:
        self.status = "partial" if self.items else "failed"
        self.error = one_line(error)
        return self


class ShapeError(GitHubError):
    """A 2xx answer that is not the JSON shape the request promises."""


async def list_repositories(
    client: GitHubClient,
    api_url: str,
    org: str,
    since: datetime,
    *,
    only: tuple[str, ...] | None,
    exclude: frozenset[str],
) -> list[Repo]:
    """ECO-40: the organisation's source repositories updated since the window start, newest
    first; paging follows `Link: rel="next"` verbatim and stops at the first older repository."""
    url: str | None = f"{api_url}/orgs/{org}/repos"
    params: dict[str, Any] | None = {
        "type": "sources",
        "sort": "updated",
        "direction": "desc",
        "per_page": PER_PAGE,
    }
    repos: list[Repo] = []
    seen: set[str] = set()
    while url:
        data, response = await client.get_json(url, params)
        if not isinstance(data, list):
            raise ShapeError(f"GET /orgs/{org}/repos", "expected a JSON list of repositories")
        older = False
        for item in data:
            if not isinstance(item, dict):
                continue
            updated = parse_time(item.get("updated_at"))
            if updated is None:
                continue
            if updated < since:
                older = True
                break
            name = item.get("name")
            if not isinstance(name, str) or not name:
                continue
            if (only is not None and name not in only) or name in exclude:
                continue
            if name in seen:
                continue  # a repository updated while listing moves to an earlier page
            seen.add(name)
            repos.append(
                Repo(
                    name,
                    str(item.get("html_url") or ""),
                    str(item.get("default_branch") or "main"),
                    str(item.get("updated_at")),
                )
            )
        if older:
            break
        url = (response.links.get("next") or {}).get("url")
        params = None
    return repos


async def _graphql_nodes(
    client: GitHubClient,
    result: SourceResult,
    *,
    query: str,
    connection: str,
    org: str,
    repo: str,
    since: datetime,
    review_count: bool = False,
) -> SourceResult:
    """ECO-41 paging: sequential pages by cursor, stop at the first node updated before the
    window; a failing page is retried at page size 25, then 10 (never growing back)."""
    size_index = 0
    cursor: str | None = None
    while True:
        size = PAGE_SIZES[size_index]
        variables: dict[str, Any] = {"owner": org, "repo": repo, "cursor": cursor, "pageSize": size}
        if review_count:
            variables["reviewCount"] = size
        try:
            data = await client.graphql(query, variables, name=connection)
            page = obj(data.get("repository")).get(connection)
            if not isinstance(page, dict) or not isinstance(page.get("nodes"), list):
                raise GraphQLError(
                    f"POST /graphql {connection}({org}/{repo})",
                    f"response has no data.repository.{connection}",
                )
        except GitHubError as exc:
            if not isinstance(exc, RateLimitWaitExceeded) and size_index + 1 < len(PAGE_SIZES):
                size_index += 1
                client.logger.warning(
                    f"{repo}: {connection} page failed at page size {size}; retrying with "
                    f"{PAGE_SIZES[size_index]}",
                    {"error": str(exc)},
                )
                continue
            result.status = "partial"
            result.error = str(exc)
            return result
        older = False
        for node in page["nodes"]:
            if not isinstance(node, dict):
                continue
            updated = parse_time(node.get("updatedAt"))
            if updated is not None and updated < since:
                older = True
                continue
            result.items.append(node)
        info = obj(page.get("pageInfo"))
        if older or not info.get("hasNextPage") or not info.get("endCursor"):
            return result
        cursor = str(info["endCursor"])


async def fetch_issues(client: GitHubClient, org: str, repo: str, since: datetime) -> SourceResult:
    """ECO-41."""
    result = SourceResult("issues")
    return await _graphql_nodes(
        client, result, query=ISSUES, connection="issues", org=org, repo=repo, since=since
    )


async def fetch_pull_requests(
    client: GitHubClient, org: str, repo: str, since: datetime
) -> SourceResult:
    """ECO-43 (`reviewCount` follows the page size)."""
    result = SourceResult("pull_requests")
    return await _graphql_nodes(
        client,
        result,
        query=PULL_REQUESTS,
        connection="pullRequests",
        org=org,
        repo=repo,
        since=since,
        review_count=True,
    )


async def fetch_discussions(
    client: GitHubClient, org: str, repo: str, since: datetime
) -> SourceResult:
    """NEW-30."""
    result = SourceResult("discussions")
    return await _graphql_nodes(
        client, result, query=DISCUSSIONS, connection="discussions", org=org, repo=repo, since=since
    )


async def _numbered_pages(
    client: GitHubClient, result: SourceResult, url: str, params: dict[str, Any]
) -> SourceResult:
    """Pages n = 1, 2, … while the previous page was full (ECO-42, ECO-44)."""
    page = 1
    while True:
        try:
            data, _ = await client.get_json(url, {**params, "page": page})
            if not isinstance(data, list):
                raise ShapeError(f"GET {urlsplit(url).path}?page={page}", "expected a JSON list")
        except GitHubError as exc:
            return result.fail(str(exc))
        result.items.extend(item for item in data if isinstance(item, dict))
        if len(data) < PER_PAGE:
            return result
        page += 1


async def fetch_comments(
    client: GitHubClient, api_url: str, org: str, repo: str, since_text: str
) -> SourceResult:
    """ECO-42."""
    params = {"since": since_text, "sort": "updated", "direction": "desc", "per_page": PER_PAGE}
    return await _numbered_pages(
        client, SourceResult("comments"), f"{api_url}/repos/{org}/{repo}/issues/comments", params
    )


async def fetch_branch_commits(
    client: GitHubClient, api_url: str, org: str, repo: Repo, since_text: str
) -> SourceResult:
    """ECO-44: the default branch's commits since the window start."""
    params = {"sha": repo.default_branch, "since": since_text, "per_page": PER_PAGE}
    return await _numbered_pages(
        client, SourceResult("branch_commits"), f"{api_url}/repos/{org}/{repo.name}/commits", params
    )


async def fetch_push_commits(
    client: GitHubClient, api_url: str, org: str, repo: str, since: datetime
) -> SourceResult:
    """ECO-45: push events (at most three pages) and one compare per branch push; items are
    `(branch, commit)` pairs. A failing compare is logged at WARN and skipped."""
    result = SourceResult("push_commits")
    pushes: list[tuple[str, str, str]] = []
    url = f"{api_url}/repos/{org}/{repo}/events"
    for page in range(1, MAX_EVENT_PAGES + 1):
        try:
            response = await client.get(url, {"per_page": PER_PAGE, "page": page})
            if response.status_code == 422:
                break
            data, _ = await _json_list(
                client, response, f"GET /repos/{org}/{repo}/events?page={page}"
            )
        except GitHubError as exc:
            if page == 1:
                return result.fail(str(exc))
            result.status, result.error = "partial", one_line(str(exc))
            break
        older = False
        for event in data:
            if not isinstance(event, dict):
                continue
            created = parse_time(event.get("created_at"))
            if created is not None and created < since:
                older = True
                break
            if event.get("type") != "PushEvent":
                continue
            payload = obj(event.get("payload"))
            ref, before, head = payload.get("ref"), payload.get("before"), payload.get("head")
            if not (isinstance(ref, str) and ref.startswith("refs/heads/")):
                continue
            if not (isinstance(before, str) and before and isinstance(head, str) and head):
                continue
            if before == ZERO_SHA:
                continue  # branch creation: nothing to compare against
            pushes.append((ref[len("refs/heads/") :], before, head))
        if older or len(data) < PER_PAGE:
            break
    for branch, before, head in pushes:
        label = f"GET /repos/{org}/{repo}/compare/{before}...{head}"
        try:
            response = await client.get(f"{api_url}/repos/{org}/{repo}/compare/{before}...{head}")
            body, _ = await _json_list(client, response, label, want=dict)
            commits = body.get("commits")
            if not isinstance(commits, list):
                raise ShapeError(label, "expected a `commits` list")
        except GitHubError as exc:
            client.logger.warning(f"{repo}: compare failed; skipped", {"error": str(exc)})
            continue
        result.items.extend((branch, c) for c in commits if isinstance(c, dict))
    return result


async def _json_list(
    client: GitHubClient, response: Any, label: str, want: type = list
) -> tuple[Any, Any]:
    if response.status_code >= 400:
        raise GitHubError(label, f"HTTP {response.status_code}", response.status_code)
    try:
        data = response.json()
    except ValueError:
        raise ShapeError(label, "response is not JSON") from None
    if not isinstance(data, want):
        raise ShapeError(label, f"expected a JSON {'list' if want is list else 'object'}")
    return data, response
