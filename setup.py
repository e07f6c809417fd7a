"""Build hook: ship the user documentation inside the package (WEB-50).

The canonical docs live in the repository's `docs/` folder (rendered into the site's `/docs`
pages). `build_py` copies `docs/*.md` and `docs/meta.json` into `leaderboard/docs/` of the build,
so an installed wheel can render them; editable installs read the repository folder directly
(see `leaderboard.site.docsource.package_docs_dir`). Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithDocs(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).parent / "docs"
        target = Path(self.build_lib) / "leaderboard" / "docs"
        if not source.is_dir():
            return
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source)
            if path.is_symlink() or not path.is_file() or path.suffix not in (".md", ".json"):
                continue
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / rel)


setup(cmdclass={"build_py": BuildPyWithDocs})
