"""Builders for fake-GitHub fixture documents (ECO-50): the shapes GitHub returns, and a seeded
synthetic organisation for paging tests and the benchmark.

Everything is deterministic: the same arguments give the same document, byte for byte.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

ZERO = "0" * 40

# A realistic population: a few very active people, a long tail, long logins, bots.
CORE = ["sriharsha-venkataraman", "marta-kowalczyk-dev", "o-adeyemi"]
REGULARS = [
    "christopher-montgomery-wolfenstein",
    "lin-yuhan",
    "pvaldivia",
    "aishwarya-ramachandran-iyer",
    "jdoe-contractor",
]
TAIL = [f"{name}-{n}" for n, name in enumerate(
    ["drive-by", "first-timer", "occasional", "weekend-hacker", "student", "translator"] * 3
)]  # fmt: skip
BOTS_GRAPHQL = ["dependabot", "renovate"]  # GraphQL Bot logins lack the [bot] suffix
BOTS_REST = ["dependabot[bot]", "github-actions[bot]"]


def sha(*parts: Any) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def ts(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user(login: str | None) -> dict[str, Any] | None:
    if login is None:
        return None
    if login in BOTS_GRAPHQL:
        return {"__typename": "Bot", "login": login}
    return {"__typename": "User", "login": login}


def rest_user(login: str | None) -> dict[str, Any] | None:
    if login is None:
        return None
    kind = "Bot" if login.endswith("[bot]") else "User"
    return {"login": login, "id": int(sha(login)[:7], 16), "type": kind}


def issue(
    org: str, repo: str, number: int, title: str, author: str | None, created: datetime,
    updated: datetime, *, closed_at: datetime | None = None,
    timeline: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "number": number,
        "title": title,
        "url": f"https://github.com/{org}/{repo}/issues/{number}",
        "createdAt": ts(created),
        "updatedAt": ts(updated),
        "closed": closed_at is not None,
        "closedAt": ts(closed_at) if closed_at else None,
        "author": user(author),
        "timelineItems": {"nodes": timeline or []},
    }


def assigned(assignee: str | None, when: datetime) -> dict[str, Any]:
    event: dict[str, Any] = {"__typename": "AssignedEvent", "createdAt": ts(when)}
    event["assignee"] = user(assignee)
    return event


def closed(actor: str | None, when: datetime) -> dict[str, Any]:
    """A ClosedEvent (the actor may be null: a deleted account)."""
    event: dict[str, Any] = {"__typename": "ClosedEvent", "createdAt": ts(when)}
    event["actor"] = user(actor)
    return event


def review(
    org: str, repo: str, pr: int, rid: str, state: str, author: str | None, when: datetime,
    *, replies: int = 0, comments: int = 0,
) -> dict[str, Any]:  # fmt: skip
    nodes: list[dict[str, Any]] = [{"id": f"{rid}-c{i}", "replyTo": None} for i in range(comments)]
    nodes += [{"id": f"{rid}-r{i}", "replyTo": {"id": f"PRRC_parent{i}"}} for i in range(replies)]
    return {
        "id": rid,
        "state": state,
        "submittedAt": ts(when) if state != "PENDING" else None,
        "url": f"https://github.com/{org}/{repo}/pull/{pr}#pullrequestreview-{int(sha(rid)[:8], 16)}",
        "author": user(author),
        "comments": {"nodes": nodes},
    }


def pull_request(
    org: str, repo: str, number: int, title: str, author: str | None, created: datetime,
    updated: datetime, *, merged_at: datetime | None = None, merged_by: str | None = None,
    reviews: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "number": number,
        "title": title,
        "url": f"https://github.com/{org}/{repo}/pull/{number}",
        "createdAt": ts(created),
        "updatedAt": ts(updated),
        "mergedAt": ts(merged_at) if merged_at else None,
        "author": user(author),
        "mergedBy": user(merged_by),
        "reviews": {"nodes": reviews or []},
    }


def comment(
    org: str, repo: str, issue_number: int, node_id: str, login: str | None, created: datetime,
    updated: datetime | None = None,
) -> dict[str, Any]:  # fmt: skip
    cid = int(sha(node_id)[:9], 16)
    return {
        "id": cid,
        "node_id": node_id,
        "html_url": f"https://github.com/{org}/{repo}/issues/{issue_number}#issuecomment-{cid}",
        "issue_url": f"https://api.github.com/repos/{org}/{repo}/issues/{issue_number}",
        "user": rest_user(login),
        "created_at": ts(created),
        "updated_at": ts(updated or created),
        "body": "Looks good to me.",
    }


def commit(
    org: str, repo: str, commit_sha: str, message: str, login: str | None, when: datetime | None,
    *, stats: dict[str, int] | None = None,
) -> dict[str, Any]:  # fmt: skip
    item: dict[str, Any] = {
        "sha": commit_sha,
        "html_url": f"https://github.com/{org}/{repo}/commit/{commit_sha}",
        "commit": {
            "message": message,
            "author": {"name": login or "Unknown", "date": ts(when) if when else None},
            "committer": {"name": "GitHub", "date": ts(when) if when else None},
        },
        "author": rest_user(login),
    }
    if stats is not None:
        item["stats"] = stats
    return item


def push_event(
    eid: int, login: str, when: datetime, ref: str, before: str, head: str
) -> dict[str, Any]:
    return {
        "id": str(eid),
        "type": "PushEvent",
        "actor": {"login": login},
        "created_at": ts(when),
        "payload": {"ref": ref, "before": before, "head": head, "size": 1},
    }


def other_event(eid: int, kind: str, login: str, when: datetime) -> dict[str, Any]:
    return {"id": str(eid), "type": kind, "actor": {"login": login}, "created_at": ts(when),
            "payload": {}}  # fmt: skip


def _pick(rng: random.Random) -> str:
    """Zipf-like: the core does most of the work, the tail a little."""
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(CORE)
    if roll < 0.85:
        return rng.choice(REGULARS)
    return rng.choice(TAIL)


def synthetic_repo(
    org: str, name: str, *, seed: int, now: datetime, days: int = 7, issues: int = 10,
    pulls: int = 10, comments: int = 20, commits: int = 10, pushes: int = 3, older: int = 3,
) -> dict[str, Any]:  # fmt: skip
    """A repository with `issues`/`pulls`/… items updated inside the window (newest first)
    plus `older` items of each kind from before it, so stop rules are exercised."""
    rng = random.Random(f"{seed}-{name}")
    span = timedelta(days=days).total_seconds()

    def inside(i: int, n: int) -> datetime:
        return now - timedelta(seconds=span * (i + 0.5) / max(n, 1) * 0.98)

    def before(i: int) -> datetime:
        return now - timedelta(days=days + 2 + i)

    repo: dict[str, Any] = {
        "name": name,
        "default_branch": "main",
        "updated_at": ts(now - timedelta(minutes=rng.randrange(1, 600))),
        "html_url": f"https://github.com/{org}/{name}",
        "issues": [],
        "pullRequests": [],
        "comments": [],
        "commits": [],
        "events": [],
        "compares": {},
    }
    for i in range(issues + older):
        when = inside(i, issues) if i < issues else before(i)
        author = _pick(rng)
        created = when - timedelta(days=rng.randrange(0, 30))
        timeline = [assigned(_pick(rng), when - timedelta(hours=2))] if i % 3 == 0 else []
        closed_at = None
        if i % 4 == 0:
            closed_at = when
            timeline.append(closed(_pick(rng), when))
        repo["issues"].append(
            issue(org, name, 1000 + i, f"Bug: {name} fails on input {i}", author, created, when,
                  closed_at=closed_at, timeline=timeline)
        )  # fmt: skip
    for i in range(pulls + older):
        when = inside(i, pulls) if i < pulls else before(i)
        author = _pick(rng) if i % 7 else "dependabot"
        created = when - timedelta(hours=rng.randrange(1, 200))
        reviewer = _pick(rng)
        reviews = [review(org, name, 2000 + i, f"PRR_{sha(name, i)[:12]}", "APPROVED", reviewer,
                          when - timedelta(minutes=30))]  # fmt: skip
        merged = when if i % 2 == 0 else None
        repo["pullRequests"].append(
            pull_request(org, name, 2000 + i, f"feat: add {name} support #{i}", author, created,
                         when, merged_at=merged, merged_by=reviewer if merged else None,
                         reviews=reviews)
        )  # fmt: skip
    for i in range(comments + older):
        when = inside(i, comments) if i < comments else before(i)
        who = _pick(rng) if i % 11 else "github-actions[bot]"
        repo["comments"].append(
            comment(org, name, 1000 + i % max(issues, 1), f"IC_{sha(name, 'c', i)[:16]}", who, when)
        )
    for i in range(commits + older):
        when = inside(i, commits) if i < commits else before(i)
        repo["commits"].append(
            commit(org, name, sha(name, "commit", i), f"fix: tidy {name} module {i}\n\nLonger body.",
                   _pick(rng), when)
        )  # fmt: skip
    for i in range(pushes):
        when = inside(i, pushes)
        head, base = sha(name, "head", i), sha(name, "base", i)
        who = _pick(rng)
        repo["events"].append(
            push_event(9000 + i, who, when, f"refs/heads/feature-{i}", base, head)
        )
        repo["compares"][f"{base}...{head}"] = {
            "commits": [commit(org, name, sha(name, "fc", i), f"wip: feature {i}", who, when)]
        }
    repo["events"].append(other_event(8000, "WatchEvent", _pick(rng), before(0)))
    return repo


def synthetic_org(
    org: str, *, repos: int, seed: int, now: datetime, **sizes: int
) -> dict[str, Any]:
    """`repos` repositories updated inside the window plus one older repository (the listing
    stops there)."""
    doc: dict[str, Any] = {
        "org": org,
        "repos": [
            synthetic_repo(org, f"service-{i:03d}", seed=seed, now=now, **sizes)
            for i in range(repos)
        ],
    }
    doc["repos"].append(
        {"name": "legacy-archive", "default_branch": "master",
         "updated_at": ts(now - timedelta(days=400)), "issues": [], "pullRequests": [],
         "comments": [], "commits": [], "events": []}
    )  # fmt: skip
    return doc
