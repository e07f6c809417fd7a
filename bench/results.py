"""Writing one benchmark's section of bench/RESULTS.md.

Each benchmark owns one `## ` section, named by its heading, and replaces only that section:
`make bench` runs several benchmarks one after another, and sections written by hand or by other
scripts (analyses, before/after tables of earlier rounds) must survive a re-run. `### `
sub-headings belong to the section above them.
"""

from __future__ import annotations

from pathlib import Path

TITLE = "# Benchmark results\n"


def replace_section(text: str, heading: str, body: str) -> str:
    """`text` with the section starting at `heading` replaced by `heading` + `body` (appended at
    the end when the section is not there yet)."""
    block = heading + "\n\n" + body.strip("\n") + "\n"
    start = text.find(heading + "\n")
    if start < 0:
        return (text.rstrip("\n") + "\n\n" if text.strip() else TITLE + "\n") + block
    end = text.find("\n## ", start + len(heading))
    rest = text[end + 1 :] if end >= 0 else ""
    return text[:start] + block + ("\n" + rest if rest else "")


def write_section(out: Path, heading: str, body: str) -> None:
    """Replace (or append) the section `heading` of the results file `out`, leaving the rest."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    out.write_text(replace_section(text, heading, body), encoding="utf-8")
