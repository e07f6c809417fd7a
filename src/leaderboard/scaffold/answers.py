"""The answers `leaderboard init` needs (ECO-28/29): validation rules and derived defaults.

Flags and prompts feed the same `InitAnswers`; `check_answers` reports every problem at once
(ECO-29: "exit 2 listing every invalid flag"), so scripted use fails with the whole list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlparse

from leaderboard.config.values import is_timezone

ROLE_SLUG = re.compile(r"^[a-z][a-z0-9_-]*$")
EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PLUGIN_CHOICES = ("github", "slack", "git", "dummy")
DEPLOY_CHOICES = ("pages", "netlify", "cloudflare", "none")
DEFAULT_SCHEDULE = "0 */12 * * *"
DEFAULT_ROLES = (
    ("core", "Core", "Core team member", False),
    ("contributor", "Contributor", "Open source contributor", False),
)


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    description: str | None = None
    hidden: bool = False


@dataclass
class InitAnswers:
    """Every value `init` writes; `None` means "not given" (defaults are derived later)."""

    org_name: str | None = None
    org_description: str | None = None
    org_url: str | None = None
    org_logo_url: str | None = None
    org_start_date: str | None = None
    github_url: str | None = None
    slack_url: str | None = None
    linkedin_url: str | None = None
    youtube_url: str | None = None
    email: str | None = None
    meta_title: str | None = None
    meta_description: str | None = None
    meta_image_url: str | None = None
    site_url: str | None = None
    favicon_url: str | None = None
    data_source: str | None = None
    theme_url: str | None = None
    timezone: str | None = None
    roles: list[Role] = field(default_factory=list)
    default_roles: bool = True
    plugins: list[str] = field(default_factory=list)
    schedule: str = DEFAULT_SCHEDULE
    deploy: str = "pages"
    package: str | None = None


# -- single-value rules (shared by flags and prompts) --------------------------------------------


def is_url(text: str) -> bool:
    """ECO-29: absolute, with a scheme and a host."""
    parsed = urlparse(text)
    return bool(parsed.scheme and parsed.netloc) and not any(c.isspace() for c in text)


def url_problem(text: str) -> str | None:
    return (
        None
        if is_url(text)
        else f"must be an absolute URL such as https://example.org (got {text!r})"
    )


def logo_problem(text: str) -> str | None:
    if text.startswith("/") or is_url(text):
        return None
    return f"must be an absolute URL or a site path starting with / (got {text!r})"


def date_problem(text: str) -> str | None:
    if DATE.match(text):
        try:
            date.fromisoformat(text)
            return None
        except ValueError:
            pass
    return f"must be a real date written YYYY-MM-DD (got {text!r})"


def email_problem(text: str) -> str | None:
    return None if EMAIL.match(text) else f"must be an e-mail address (got {text!r})"


def timezone_problem(text: str) -> str | None:
    if is_timezone(text):
        return None
    return f"must be an IANA time zone name such as UTC or Europe/Berlin (got {text!r})"


def role_slug_problem(text: str) -> str | None:
    if ROLE_SLUG.match(text):
        return None
    return f"role key must match ^[a-z][a-z0-9_-]*$ (got {text!r})"


def parse_role(spec: str) -> Role:
    """`KEY:NAME[:DESCRIPTION][:hidden]` (ECO-28); raises ValueError with the reason."""
    parts = spec.split(":")
    hidden = len(parts) > 2 and parts[-1].strip().lower() == "hidden"
    if hidden:
        parts = parts[:-1]
    if len(parts) < 2 or len(parts) > 3:
        raise ValueError(f"expected KEY:NAME[:DESCRIPTION][:hidden] (got {spec!r})")
    key, name = parts[0].strip(), parts[1].strip()
    problem = role_slug_problem(key)
    if problem:
        raise ValueError(problem)
    if not name:
        raise ValueError(f"role {key!r} needs a display name")
    description = parts[2].strip() if len(parts) == 3 and parts[2].strip() else None
    return Role(key, name, description, hidden)


def github_owner(github_url: str | None) -> str | None:
    """The first path segment of a GitHub URL (`https://github.com/acme` → `acme`)."""
    if not github_url:
        return None
    segments = [s for s in urlparse(github_url).path.split("/") if s]
    return segments[0] if segments else None


# -- the whole set -------------------------------------------------------------------------------

_REQUIRED = (
    ("org_name", "--org-name"),
    ("org_description", "--org-description"),
    ("org_url", "--org-url"),
    ("org_logo_url", "--org-logo-url"),
    ("site_url", "--site-url"),
)
_URLS = (
    ("org_url", "--org-url"),
    ("github_url", "--github-url"),
    ("slack_url", "--slack-url"),
    ("linkedin_url", "--linkedin-url"),
    ("youtube_url", "--youtube-url"),
    ("site_url", "--site-url"),
    ("data_source", "--data-source"),
)
_LOGOS = (
    ("org_logo_url", "--org-logo-url"),
    ("meta_image_url", "--meta-image-url"),
    ("favicon_url", "--favicon-url"),
    ("theme_url", "--theme-url"),
)


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def missing_required(answers: InitAnswers) -> list[str]:
    """The flags of required values that are missing or blank (ECO-28)."""
    return [flag for attr, flag in _REQUIRED if blank(getattr(answers, attr))]


def check_answers(answers: InitAnswers) -> list[str]:
    """Every invalid value as `--flag: reason`, in flag order (empty when all are valid)."""
    from leaderboard.config.values import is_cron

    problems: list[str] = []
    for attr, flag in _URLS:
        value = getattr(answers, attr)
        if not blank(value) and (p := url_problem(value.strip())):
            problems.append(f"{flag}: {p}")
    for attr, flag in _LOGOS:
        value = getattr(answers, attr)
        if not blank(value) and (p := logo_problem(value.strip())):
            problems.append(f"{flag}: {p}")
    if not blank(answers.org_start_date) and (p := date_problem(answers.org_start_date or "")):
        problems.append(f"--org-start-date: {p}")
    if not blank(answers.email) and (p := email_problem((answers.email or "").strip())):
        problems.append(f"--email: {p}")
    if not blank(answers.timezone) and (p := timezone_problem((answers.timezone or "").strip())):
        problems.append(f"--timezone: {p}")
    seen: set[str] = set()
    for role in all_roles(answers):
        if role.key in seen:
            problems.append(f"--role: role {role.key!r} is given twice")
        seen.add(role.key)
    if not all_roles(answers):
        problems.append("--role: at least one role is needed (or drop --no-default-roles)")
    if not is_cron(answers.schedule):
        problems.append(f"--schedule: must be a 5-field cron expression (got {answers.schedule!r})")
    return problems


def all_roles(answers: InitAnswers) -> list[Role]:
    """Default roles (unless declined) followed by the custom ones."""
    base = [Role(*r) for r in DEFAULT_ROLES] if answers.default_roles else []
    return [*base, *answers.roles]


def normalised(answers: InitAnswers) -> InitAnswers:
    """Strip whitespace, turn blanks into None and fill the ECO-29 defaults."""
    out = InitAnswers(**{k: v for k, v in answers.__dict__.items()})
    for key, value in list(out.__dict__.items()):
        if isinstance(value, str):
            setattr(out, key, value.strip() or None)
    out.schedule = answers.schedule.strip()
    out.deploy = answers.deploy
    org = out.org_name or ""
    out.meta_title = out.meta_title or f"{org} Leaderboard"
    out.meta_description = out.meta_description or f"{org} contributor leaderboard"
    out.meta_image_url = out.meta_image_url or out.org_logo_url
    out.favicon_url = out.favicon_url or out.org_logo_url
    owner = github_owner(out.github_url) or "your-org"
    out.data_source = out.data_source or f"https://github.com/{owner}/leaderboard-data"
    out.timezone = out.timezone or "UTC"
    return out
