"""Record dataclasses shared by plugins, the query layer and the data repository (CORE-26, CORE-30).

Field names and order follow the tables of CORE-32. JSON columns hold parsed Python values here;
`extra` keeps unknown keys in the order they were read (CORE-51).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Contributor:
    username: str
    role: str
    name: str | None = None
    title: str | None = None
    avatar_url: str | None = None
    bio: str | None = None
    social_profiles: dict[str, Any] | None = None
    joining_date: str | None = None
    meta: Any = None
    visibility: str | None = None
    pseudonym: str | None = None
    bot: bool | None = None
    identities: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None
    kind: str = field(default="contributor", repr=False)


@dataclass(slots=True)
class ActivityDefinition:
    slug: str
    name: str
    description: str
    points: int | None = None
    icon: str | None = None
    extra: dict[str, Any] | None = None
    kind: str = field(default="activity_definition", repr=False)


@dataclass(slots=True)
class Activity:
    slug: str
    contributor: str
    activity_definition: str
    occurred_at: str
    title: str | None = None
    link: str | None = None
    text: str | None = None
    points: int | None = None
    meta: Any = None
    extra: dict[str, Any] | None = None
    kind: str = field(default="activity", repr=False)


@dataclass(slots=True)
class GlobalAggregate:
    slug: str
    name: str
    value: dict[str, Any]
    description: str | None = None
    hidden: bool = False
    meta: Any = None
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class AggregateDefinition:
    slug: str
    name: str
    description: str | None = None
    hidden: bool = False
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class ContributorAggregate:
    aggregate: str
    contributor: str
    value: dict[str, Any]
    meta: Any = None
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class BadgeDefinition:
    slug: str
    name: str
    description: str
    variants: dict[str, Any]
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class ContributorBadge:
    slug: str
    badge: str
    contributor: str
    variant: str
    achieved_on: str
    meta: Any = None
    extra: dict[str, Any] | None = None


class RecordBatch(list[Any]):
    """Records a hook yields together: persisted in order, exactly as if yielded one by one, but
    with runs of activities written in bulk (CORE-26). A streaming scrape that yields thousands
    of activities at a time uses it; a hook that returns a plain list gets the same path."""


def as_dict(record: Any) -> dict[str, Any]:
    """A record (dataclass or dict) as a plain dict without the `kind` tag."""
    if isinstance(record, dict):
        return {k: v for k, v in record.items() if k != "kind"}
    data = asdict(record)
    data.pop("kind", None)
    return data
