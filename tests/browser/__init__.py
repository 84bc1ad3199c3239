"""Browser and validity tests (marker `browser`): built hubs served at their base path.

A package, so that pytest imports tests/browser/conftest.py as `browser.conftest` and the
`conftest` module the other test files import (`from conftest import Hub`) stays tests/conftest.py.
"""
