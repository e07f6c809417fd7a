"""The People page (WEB-35): role sections, hidden roles behind a toggle, and the gallery."""

from __future__ import annotations

from leaderboard.site.contexts import PeopleContext, PeopleSection
from leaderboard.site.model import SiteModel
from leaderboard.site.ranking import sort_key
from leaderboard.site.snapshot import Person


def _by_points(model: SiteModel, people: list[Person]) -> list[Person]:
    return sorted(people, key=lambda p: (-model.points(p.username), *sort_key(p.username)))


def build_people(model: SiteModel) -> PeopleContext:
    roles = model.config.leaderboard.roles
    everyone = list(model.snap.people.values())
    visible = [p for p in everyone if not p.hidden_role]
    hidden = [p for p in everyone if p.hidden_role]

    def section(key: str, name: str, description: str, members: list[Person]) -> PeopleSection:
        return PeopleSection(
            key,
            name,
            description,
            [
                (model.view(p.username), model.points(p.username))
                for p in _by_points(model, members)
            ],
        )

    sections: list[PeopleSection] = []
    for key, role in roles.items():
        if role.hidden:
            continue
        members = [p for p in visible if p.role == key]
        if members:
            sections.append(section(key, role.name or key, role.description or "", members))
    others = [p for p in visible if p.role not in roles]
    if others:
        sections.append(section("other", "Other", "", others))
    hidden_sections: list[PeopleSection] = []
    for key, role in roles.items():
        members = [p for p in hidden if p.role == key]
        if role.hidden and members:
            hidden_sections.append(section(key, role.name or key, role.description or "", members))
    return PeopleContext(
        count=len(visible),
        sections=sections,
        hidden_sections=hidden_sections,
        hidden_count=len(hidden),
        gallery=[model.view(p.username) for p in _by_points(model, visible)],
        hidden_gallery=[model.view(p.username) for p in _by_points(model, hidden)],
    )
