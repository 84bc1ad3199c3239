"""New things from templates: a whole hub repository (`init`) and one paper file (`new`)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import yaml

from citehub.hubfiles import HubLayout
from citehub.load import PAPER_ID

SKELETON = Path(__file__).parent / "skeleton"
INSTALL_FROM_REQUIREMENTS = "python -m pip install -r requirements.txt"

# skeleton file → where it goes in a new hub (dotfiles are stored without their dot, so that
# packaging tools and editors treat them as ordinary files).
LAYOUT = {
    "content/hub.yaml": "content/hub.yaml",
    "content/papers/1706.03762.md": "content/papers/1706.03762.md",
    "content/papers/1810.04805.md": "content/papers/1810.04805.md",
    "README.md": "README.md",
    "requirements.txt": "requirements.txt",
    "gitignore": ".gitignore",
    "workflows/deploy.yml": ".github/workflows/deploy.yml",
    "workflows/check.yml": ".github/workflows/check.yml",
}


class ScaffoldError(Exception):
    """What was asked cannot be done without destroying something; nothing was written."""


def workflow(name: str, install: str = INSTALL_FROM_REQUIREMENTS) -> str:
    """A GitHub workflow of a hub repository, installing citehub with `install`."""
    return (SKELETON / "workflows" / name).read_text(encoding="utf-8").replace("@INSTALL@",
                                                                               install)


def init_hub(target: Path, title: str, repo_url: str | None) -> list[Path]:
    """Write a complete hub repository into `target`, which must be missing or empty."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not empty; choose a new folder")
    replacements = {
        "@TITLE@": title,
        "@VERSION@": version("citehub"),
        "@INSTALL@": INSTALL_FROM_REQUIREMENTS,
        "@REPO_URL@": f"repo_url: {repo_url}" if repo_url else
                      "# repo_url: https://github.com/OWNER/REPO",
    }
    written: list[Path] = []
    for source, destination in LAYOUT.items():
        text = (SKELETON / source).read_text(encoding="utf-8")
        for placeholder, value in replacements.items():
            if source == "content/hub.yaml" and placeholder == "@TITLE@":
                value = yaml_scalar(value)
            text = text.replace(placeholder, value)
        path = target / destination
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def yaml_scalar(text: str) -> str:
    """`text` as a YAML value that reads back as exactly that text."""
    return yaml.safe_dump(text, allow_unicode=True, width=10_000).removesuffix("\n...\n").strip()


PAPER_TEMPLATE = """\
---
title: {title}
authors: []
date:  # YYYY-MM-DD, YYYY-MM or YYYY
categories: []
links: {{}}
summary:  # one sentence, shown wherever the paper is listed
cites: []
---
"""


def new_paper(hub_dir: Path, paper_id: str, title: str) -> Path:
    """Write content/papers/<id>.md for a new paper; never overwrites."""
    if not PAPER_ID.match(paper_id):
        raise ScaffoldError(f"'{paper_id}' is not a valid paper id: an id starts with a letter "
                            "or digit and has only letters, digits, '.', '_' and '-' "
                            "(for cs/0112017 write cs-0112017)")
    hub = HubLayout(hub_dir)
    if not hub.content.is_dir():
        raise ScaffoldError(f"{hub_dir} has no content/ folder; is it a hub? "
                            "(`citehub init DIR` makes one)")
    papers = hub.papers
    papers.mkdir(exist_ok=True)
    for existing in papers.glob("*.md"):
        if existing.stem.casefold() == paper_id.casefold():
            raise ScaffoldError(f"{existing} already exists; refusing to overwrite it")
    if not title.strip():
        raise ScaffoldError("the title must not be empty")
    path = papers / f"{paper_id}.md"
    with path.open("x", encoding="utf-8") as file:  # "x": fails rather than overwrite
        file.write(PAPER_TEMPLATE.format(title=yaml_scalar(title.strip())))
    return path
