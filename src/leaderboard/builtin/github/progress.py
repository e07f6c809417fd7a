"""`.scrape-progress.json` and `scrape-status.md` (ECO-48, NEW-27): what a long scrape has done,
for people watching it and for resuming after a killed run.

The JSON keeps one section per organisation: the first organisation's fields sit at the top level
exactly as upstream's file has them, later organisations under `orgs.<login>` with the same shape.
Files are written atomically (temporary file + rename) so a kill never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

PROGRESS_FILE = ".scrape-progress.json"
STATUS_FILE = "scrape-status.md"
ICONS = {"completed": "✅", "partial": "⚠️", "failed": "❌", "in_progress": "⏳"}


def new_section(org: str, since: str, started: str, total: int) -> dict[str, Any]:
    return {
        "org": org,
        "since": since,
        "startedAt": started,
        "updatedAt": started,
        "finished": False,
        "totalRepos": total,
        "completedRepos": 0,
        "partialRepos": 0,
        "failedRepos": 0,
        "totalActivities": 0,
        "repos": {},
    }


def recount(section: dict[str, Any]) -> None:
    repos = section["repos"].values()
    section["completedRepos"] = sum(1 for r in repos if r["status"] == "completed")
    section["partialRepos"] = sum(1 for r in repos if r["status"] == "partial")
    section["failedRepos"] = sum(1 for r in repos if r["status"] == "failed")
    section["totalActivities"] = sum(int(r.get("activitiesCount") or 0) for r in repos)


def read(directory: Path) -> dict[str, Any] | None:
    """The progress file, or None when absent or unreadable (a broken file is never fatal)."""
    path = directory / PROGRESS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def sections(data: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Organisation login → its section."""
    if not data or not isinstance(data.get("repos"), dict):
        return {}
    out = {str(data.get("org")): {k: v for k, v in data.items() if k != "orgs"}}
    for org, section in (data.get("orgs") or {}).items():
        if isinstance(section, dict) and isinstance(section.get("repos"), dict):
            out[str(org)] = section
    return out


def document(by_org: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The file's JSON: the first organisation at the top level, the others under `orgs`."""
    items = list(by_org.values())
    top = dict(items[0])
    if len(items) > 1:
        top["orgs"] = {s["org"]: s for s in items[1:]}
    return top


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def status_markdown(by_org: dict[str, dict[str, Any]]) -> str:
    lines = ["# GitHub scrape status", ""]
    for section in by_org.values():
        state = "finished" if section["finished"] else "in progress"
        lines += [
            f"## {section['org']} ({state})",
            "",
            "| | |",
            "|---|---|",
            f"| Organisation | {section['org']} |",
            f"| Window start | {section['since']} |",
            f"| Started | {section['startedAt']} |",
            f"| Updated | {section['updatedAt']} |",
            f"| Completed | {section['completedRepos']} / {section['totalRepos']} |",
            f"| Partial | {section['partialRepos']} |",
            f"| Failed | {section['failedRepos']} |",
            f"| Activities | {section['totalActivities']} |",
            "",
            "| Repository | Status | Activities | Notes |",
            "|---|---|---|---|",
        ]
        failures: list[str] = []
        for name, repo in section["repos"].items():
            note = repo.get("error") or ""
            lines.append(
                f"| {_cell(name)} | {ICONS.get(repo['status'], '')} {repo['status']} | "
                f"{repo.get('activitiesCount', 0)} | {_cell(note)} |"
            )
            for source, info in (repo.get("sources") or {}).items():
                if info.get("status") != "completed":
                    failures.append(
                        f"| {_cell(name)} | {source} | {info.get('status')} | "
                        f"{_cell(info.get('error') or '')} |"
                    )
        lines.append("")
        if failures:
            lines += ["### Source failures", "", "| Repository | Source | Status | Error |"]
            lines += ["|---|---|---|---|", *failures, ""]
    return "\n".join(lines)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(directory: Path, by_org: dict[str, dict[str, Any]]) -> None:
    """Both files, atomically; the JSON first (it is what resume reads)."""
    _atomic_write(
        directory / PROGRESS_FILE,
        json.dumps(document(by_org), indent=2, ensure_ascii=False) + "\n",
    )
    _atomic_write(directory / STATUS_FILE, status_markdown(by_org))
