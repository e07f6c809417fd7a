"""What the Data Explorer needs at build time (WEB-47…WEB-49, NEW-20): vendored assets and the page.

`stage.build_stage(state)` is the site builder's hook; `page.write_explorer(...)` is the
builder-independent stage; `assets.obtain_assets(...)` fetches and verifies the pinned browser
library. This package's `__init__` imports nothing, so that the site (whose reuse key reads the
asset cache) and the explorer (which writes through the site's writer) do not import each
other's packages back.
"""
