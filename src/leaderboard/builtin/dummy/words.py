"""Word lists of the dummy plugin (ECO-36). Constants shipped with the package, so the same seed
gives the same people and titles on every machine (no locale, no faker version drift)."""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Aarav", "Abigail", "Adele", "Aiko", "Alejandro", "Amara", "Amir", "Ananya", "Anders", "Aria",
    "Arjun", "Astrid", "Beatriz", "Bilal", "Bruno", "Camila", "Chen", "Chiara", "Daniel", "Dev",
    "Diego", "Elena", "Emeka", "Emma", "Farah", "Felix", "Fatima", "Gabriel", "Grace", "Hana",
    "Hugo", "Ibrahim", "Ines", "Isaac", "Ivy", "Jamal", "Javier", "Jin", "Jonas", "Kai",
    "Kavya", "Kenji", "Lars", "Layla", "Leila", "Liam", "Lucia", "Mateo", "Maya", "Mei",
    "Mohammed", "Nadia", "Nia", "Noah", "Olga", "Omar", "Priya", "Rafael", "Ravi", "Rosa",
    "Sakura", "Samuel", "Sara", "Sofia", "Tariq", "Thandiwe", "Tomas", "Valentina", "Yara", "Zoe",
)

LAST_NAMES: tuple[str, ...] = (
    "Abara", "Adeyemi", "Andersson", "Bauer", "Bianchi", "Chen", "Costa", "Das", "Dubois", "Eriksen",
    "Fernandes", "Fischer", "Garcia", "Gupta", "Haddad", "Hansen", "Hoang", "Ivanova", "Jansen", "Kato",
    "Kaur", "Khan", "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin", "Mendes",
    "Mensah", "Moreau", "Müller", "Nakamura", "Nair", "Nguyen", "Novak", "Okafor", "Olsen", "Park",
    "Patel", "Pereira", "Petrov", "Quispe", "Rahman", "Reddy", "Rossi", "Sato", "Schmidt", "Silva",
    "Singh", "Smith", "Suzuki", "Tanaka", "Torres", "Van Dijk", "Wang", "Weber", "Yilmaz", "Zhang",
    "Zulu", "Ortiz", "Haile", "Lindqvist",
)

JOB_TITLES: tuple[str, ...] = (
    "Software Engineer", "Senior Software Engineer", "Staff Engineer", "Frontend Developer",
    "Backend Developer", "Full Stack Developer", "DevOps Engineer", "Site Reliability Engineer",
    "Data Engineer", "Data Scientist", "Machine Learning Engineer", "Mobile Developer",
    "QA Engineer", "Security Engineer", "Platform Engineer", "Cloud Architect",
    "Technical Writer", "Developer Advocate", "Engineering Manager", "Product Engineer",
    "UX Engineer", "Open Source Maintainer", "Release Engineer", "Database Administrator",
    "Systems Programmer", "Embedded Developer", "Research Engineer", "Infrastructure Engineer",
    "Solutions Architect", "Student Developer", "Community Manager", "Accessibility Specialist",
)

BIO_TEMPLATES: tuple[str, ...] = (
    "{title} who enjoys working on {topic}.",
    "Passionate about {topic} and open source. {title} by day.",
    "{title}. Contributing to {org} since {year}.",
    "I build things with {topic}. Currently a {title}.",
    "{title} interested in {topic}, documentation and good tests.",
)

TOPICS: tuple[str, ...] = (
    "APIs", "accessibility", "build tooling", "cloud infrastructure", "compilers", "databases",
    "developer experience", "distributed systems", "healthcare software", "performance",
    "security", "testing", "user interfaces", "web standards",
)

ADJECTIVES: tuple[str, ...] = (
    "agile", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "eager", "fancy",
    "gentle", "happy", "jolly", "keen", "lucky", "mighty", "nimble", "quick", "quiet", "rapid",
    "silent", "sunny", "swift", "witty",
)

NOUNS: tuple[str, ...] = (
    "badger", "beacon", "cache", "comet", "compiler", "cursor", "falcon", "kernel", "lambda",
    "otter", "packet", "panda", "parser", "pixel", "pointer", "quasar", "router", "socket",
    "sparrow", "thread", "tiger", "token", "vector", "widget",
)

# Technical nouns used in titles.
THINGS: tuple[str, ...] = (
    "authentication", "cache", "CLI", "config loader", "dashboard", "database driver",
    "date picker", "export", "feed", "i18n", "importer", "logger", "markdown renderer",
    "notification", "pagination", "parser", "rate limiter", "search", "session", "sidebar",
    "sitemap", "webhook",
)

PR_TEMPLATES: tuple[str, ...] = (
    "feat: add {thing} support",
    "fix: handle empty {thing}",
    "refactor: simplify {thing} module",
    "perf: speed up {thing}",
    "test: cover {thing} edge cases",
    "chore: update {thing} dependencies",
)

ISSUE_TEMPLATES: tuple[str, ...] = (
    "Bug: {thing} fails on {other}",
    "Feature request: {thing} for {other}",
    "{thing} is slow with large {other}",
    "Question: how to configure {thing}?",
    "Docs: {thing} needs examples",
)

COMMIT_TEMPLATES: tuple[str, ...] = (
    "fix({thing}): correct off-by-one",
    "feat({thing}): support {other}",
    "chore({thing}): tidy imports",
    "refactor({thing}): extract helper",
    "style({thing}): format code",
)

DOCS_TEMPLATES: tuple[str, ...] = (
    "docs: update {thing} guide",
    "docs: add examples for {thing}",
    "docs: fix typos in {thing} reference",
    "docs: explain {thing} configuration",
)

LABEL_SETS: tuple[tuple[str, ...], ...] = (
    ("bug",),
    ("enhancement",),
    ("documentation",),
    ("bug", "priority:high"),
    ("enhancement", "good-first-issue"),
    ("documentation", "help-wanted"),
)

RELEASE_TYPES: tuple[str, ...] = ("major", "minor", "patch")

AVATAR_STYLES: tuple[str, ...] = (
    "adventurer", "avataaars", "bottts", "lorelei", "micah", "personas",
)

LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
HEX = "0123456789abcdef"
