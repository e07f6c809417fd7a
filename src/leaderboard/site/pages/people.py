"""The People page (WEB-35): role sections, hidden roles behind a toggle, and the gallery."""

from __future__ import annotations

from leaderboard.queries.rows import username_key
from leaderboard.site.contexts import PeopleContext, PeopleSection
from leaderboard.site.model import SiteModel
from leaderboard.site.pages.leaderboard import pager
from leaderboard.site.snapshot import Person


def _by_points(model: SiteModel, people: list[Person]) -> list[Person]:
    return sorted(people, key=lambda p: (-model.points(p.username), *username_key(p.username)))


PAGE_SIZE = 200  # cards per People page (WEB-63)


def build_people(model: SiteModel) -> PeopleContext:
    """Page 1 of the People list (see `build_people_pages`)."""
    return build_people_pages(model)[0]


def build_people_pages(model: SiteModel) -> list[PeopleContext]:
    """The People list as numbered pages of `PAGE_SIZE` cards, role sections kept in order (a
    section spanning two pages appears on both); hidden roles only on page 1 (WEB-63)."""
    whole = _build_people(model)
    cards = [(k, item) for k, sec in enumerate(whole.sections) for item in sec.people]
    pages = max(1, -(-len(cards) // PAGE_SIZE))
    api_url = model.urls.path("api/v1/contributors.json") if model.features.api else None
    if pages == 1:
        whole.api_url = api_url
        return [whole]
    result = []
    for n in range(1, pages + 1):
        chunk = cards[(n - 1) * PAGE_SIZE : n * PAGE_SIZE]
        sections: list[PeopleSection] = []
        for k, item in chunk:
            if not sections or sections[-1].key != whole.sections[k].key:
                sec = whole.sections[k]
                sections.append(PeopleSection(sec.key, sec.name, sec.description, []))
            sections[-1].people.append(item)
        result.append(
            PeopleContext(
                count=whole.count,
                sections=sections,
                hidden_sections=whole.hidden_sections if n == 1 else [],
                hidden_count=whole.hidden_count if n == 1 else 0,
                gallery=whole.gallery[(n - 1) * PAGE_SIZE : n * PAGE_SIZE],
                hidden_gallery=whole.hidden_gallery if n == 1 else [],
                pager=pager(model, "people/", n, pages, len(cards), PAGE_SIZE),
                api_url=api_url,
            )
        )
    return result


def _build_people(model: SiteModel) -> PeopleContext:
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
