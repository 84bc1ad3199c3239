"""Shared fixtures: small hubs written to a temporary folder, and the CLI run against them."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from citehub.cli import main

from pages_helpers import broken_links

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


class Hub:
    """A hub repository in a temporary folder, written file by file by a test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "content" / "papers").mkdir(parents=True)

    def paper(self, paper_id: str, front_matter: str, body: str = "") -> Path:
        """Write content/papers/<id>.md; the front matter is dedented YAML."""
        path = self.root / "content" / "papers" / f"{paper_id}.md"
        text = "---\n" + textwrap.dedent(front_matter).strip("\n") + "\n---\n" + body
        path.write_text(text, encoding="utf-8")
        return path

    def raw(self, name: str, data: bytes | str) -> Path:
        path = self.root / "content" / "papers" / name
        if isinstance(data, str):
            data = data.encode()
        path.write_bytes(data)
        return path

    def config(self, text: str) -> Path:
        path = self.root / "content" / "hub.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def file(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def cli(self, *args: str) -> Run:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    def check(self, *options: str) -> Run:
        return self.cli("check", str(self.root), *options)

    def build(self, *options: str) -> Run:
        run = self.cli("build", str(self.root), *options)
        if run.exit_code == 0:
            out = self.site
            for flag in ("-o", "--output"):
                if flag in options:
                    out = Path(options[options.index(flag) + 1])
            assert broken_links(out) == [], "the build published broken links"
        return run

    @property
    def site(self) -> Path:
        return self.root / "site"

    def page(self, url_path: str) -> str:
        """The HTML served at `url_path` (relative to the base path) after a build."""
        target = self.site / url_path.strip("/")
        if not url_path.endswith((".html", ".json", ".xml", ".txt", ".bib", ".csv")):
            target = target / "index.html"
        return target.read_text(encoding="utf-8")


def temporary_folders(root: Path) -> list[str]:
    """What a build left beside its site: its temporary folders, which it must remove."""
    return sorted(path.name for path in root.iterdir()
                  if ".citehub-new-" in path.name or ".citehub-old-" in path.name)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Hub:
    # Diagnostics print paths relative to the current directory: run inside the hub.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return Hub(tmp_path)
