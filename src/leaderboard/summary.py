"""The run summary (CORE-11): what ran, how long it took, what failed, what changed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any


@dataclass
class HookOutcome:
    plugin: str
    hook: str
    status: str  # ok | failed | skipped
    seconds: float = 0.0
    error: str | None = None
    rolled_back_to_checkpoint: bool = False
    requests: int = 0  # HTTP requests through ctx.http / ctx.async_http (CORE-28)


@dataclass
class Failure:
    plugin: str  # plugin id, or "standard" for built-in steps
    phase: str
    message: str


@dataclass
class RunSummary:
    phases: list[str] = field(default_factory=list)
    phase_seconds: dict[str, float] = field(default_factory=dict)
    hooks: list[HookOutcome] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "activities_inserted": 0,
            "activities_updated": 0,
            "contributors_created": 0,
            "aggregates_changed": 0,
            "badges_awarded": 0,
            "files_written": 0,
            "files_deleted": 0,
            "files_unchanged": 0,
        }
    )
    notes: list[str] = field(default_factory=list)
    # What lets the next run see that nothing changed (runmemo.py); in `_run` only.
    memo: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    def add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + int(n)

    def fail(self, plugin: str, phase: str, message: str) -> None:
        self.failures.append(Failure(plugin, phase, message))

    def last_line(self) -> str:
        if not self.failures:
            return "Run completed successfully"
        parts = "; ".join(f"{f.plugin} ({f.phase}): {f.message}" for f in self.failures)
        return f"Run completed with {len(self.failures)} failure(s): {parts}"

    def to_json(self) -> dict[str, Any]:
        return {
            "phases": {p: round(self.phase_seconds.get(p, 0.0), 3) for p in self.phases},
            "hooks": [
                {
                    "plugin": h.plugin,
                    "hook": h.hook,
                    "status": h.status,
                    "seconds": round(h.seconds, 3),
                    **({"requests": h.requests} if h.requests else {}),
                    **({"error": h.error} if h.error else {}),
                }
                for h in self.hooks
            ],
            "counts": dict(self.counts),
            "failures": [
                {"plugin": f.plugin, "phase": f.phase, "message": f.message} for f in self.failures
            ],
            **({"unchanged": self.memo} if self.memo else {}),
        }

    def log(self, log: logging.Logger) -> None:
        """Routine lines (timings, counts) at INFO even after a failure, so WARN and above
        show only what went wrong: failed or skipped hooks and the closing line."""
        info = logging.INFO
        for phase in self.phases:
            log.log(info, "Phase %s: %.2fs", phase, self.phase_seconds.get(phase, 0.0))
        for h in self.hooks:
            extra = f", {h.requests} request{'s' if h.requests != 1 else ''}" if h.requests else ""
            if h.error:
                extra += f" ({h.error})"
            if h.rolled_back_to_checkpoint:
                extra += " rolled back to last checkpoint"
            level = info if h.status == "ok" else logging.WARNING
            log.log(level, "Plugin %s %s: %s %.2fs%s", h.plugin, h.hook, h.status, h.seconds, extra)
        c = self.counts
        log.log(
            info,
            "Activities inserted %d, updated %d; contributors created %d; aggregates changed %d; "
            "badges awarded %d; files written %d, deleted %d, unchanged %d",
            c["activities_inserted"],
            c["activities_updated"],
            c["contributors_created"],
            c["aggregates_changed"],
            c["badges_awarded"],
            c["files_written"],
            c["files_deleted"],
            c["files_unchanged"],
        )
        for note in self.notes:
            log.log(info, "%s", note)
        log.log(info if self.ok else logging.WARNING, "%s", self.last_line())
