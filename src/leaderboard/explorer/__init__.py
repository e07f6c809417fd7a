"""What the Data Explorer needs at build time (WEB-47…WEB-49, NEW-20): vendored assets and the page."""
