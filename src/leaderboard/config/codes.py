"""The catalogue of config problem codes (CORE-56: stable, kebab-case, documented).

`docs/configuration.md` lists the same codes; a test keeps the two in step and checks that every
code the validator emits is listed here.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "unreadable": "config.yaml could not be read",
    "invalid-utf8": "config.yaml is not valid UTF-8",
    "yaml-syntax": "the file is not valid YAML (line and column given)",
    "duplicate-key": "a mapping repeats a key",
    "too-large": "the file is larger than 1 MiB, or its aliases expand to more than 100,000 values",
    "too-deep": "values are nested more than 64 levels deep",
    "invalid-string": 'a string holds a lone UTF-16 surrogate (e.g. "\\ud800"), which is not text',
    "yaml-tag": "an explicit tag other than the standard !!str, !!int, … is used",
    "env-unset": "a ${{ env.NAME }} placeholder names an unset variable",
    "missing-key": "a required key is absent",
    "wrong-type": "a value has the wrong type (mapping, list, string, number, boolean)",
    "invalid-value": "a value has the right type but is not allowed (URL, zone, enum, range, .nan)",
    "unknown-config-key": "a key the config does not know (ignored)",
    "unknown-role": "default_role is not a key of leaderboard.roles",
    "duplicate-slug": "two badge definitions share a slug",
    "unknown-badge": "a rule names a badge not defined in config",
    "unknown-variant": "a rule names a variant its config badge definition lacks",
    "invalid-plugin-source": "a plugin source cannot be used (JavaScript, http://, unpinned URL, …)",
    "missing-file": "a local file named by the config does not exist",
    "unused-key": "a key that has no effect where it is written",
    "plugin-config": "a plugin's config_schema rejected its config",
}
