"""New things from templates: a whole hub repository (`init`) and one paper file (`new`)."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from citehub.hubfiles import HubLayout, escapes
from citehub.load import PAPER_ID

SKELETON = Path(__file__).parent / "skeleton"
INSTALL_FROM_REQUIREMENTS = "python -m pip install -r requirements.txt"
FULL_COMMIT = re.compile(r"[0-9a-f]{40}")

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
    "dependabot.yml": ".github/dependabot.yml",
}


class ScaffoldError(Exception):
    """What was asked cannot be done without destroying something; nothing was written."""


def workflow(name: str, install: str = INSTALL_FROM_REQUIREMENTS, *,
             dependencies: str = "requirements.txt", branch: str = "main") -> str:
    """A GitHub workflow of a hub repository, installing citehub with `install` (pip's
    cache keyed by the `dependencies` file), deploying from `branch`."""
    text = (SKELETON / "workflows" / name).read_text(encoding="utf-8")
    return (text.replace("@INSTALL@", install).replace("@DEPENDENCIES@", dependencies)
            .replace("@BRANCH@", branch))


def init_hub(target: Path, title: str, repo_url: str | None, *, branch: str = "main",
             requirement: str) -> list[Path]:
    """Write a complete hub repository into `target`, which must be missing or empty, and
    make it a git repository on `branch` when git is there. `requirement` is the line that
    installs citehub (see `citehub_requirement`)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not empty; choose a new folder")
    replacements = {
        "@TITLE@": title,
        "@REQUIREMENT@": requirement,
        "@INSTALL@": INSTALL_FROM_REQUIREMENTS,
        "@DEPENDENCIES@": "requirements.txt",
        "@BRANCH@": branch,
        "@REPO_URL@": f"repo_url: {repo_url}" if repo_url else
                      "# repo_url: https://github.com/OWNER/REPO",
        "@REPO_BRANCH@": f"repo_branch: {yaml_scalar(branch)}" if branch != "main" else
                         "# repo_branch: main",
        "@BASE_URL@": f"base_url: {pages_url}" if (pages_url := pages_address(repo_url)) else
                      "# base_url: https://OWNER.github.io/REPO/",
    }
    written: list[Path] = []
    for source, destination in LAYOUT.items():
        text = (SKELETON / source).read_text(encoding="utf-8")
        for placeholder, value in replacements.items():
            if source == "content/hub.yaml" and placeholder in ("@TITLE@", "@REPO_BRANCH@"):
                value = value if placeholder == "@REPO_BRANCH@" else yaml_scalar(value)
            text = text.replace(placeholder, value)
        path = target / destination
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    git = shutil.which("git")
    if git is not None:
        made = subprocess.run([git, "init", "--quiet", f"--initial-branch={branch}",
                               str(target)], check=False, capture_output=True, text=True)
        if made.returncode != 0:
            raise ScaffoldError(f"the hub is written, but `git init` failed: "
                                f"{made.stderr.strip()}")
    return written


def pages_address(repo_url: str | None) -> str | None:
    """Where GitHub Pages publishes a repository on github.com (owner.github.io/repo/, or
    owner.github.io/ for the repository of that name), or None for another host."""
    match = re.fullmatch(r"https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?",
                         repo_url or "")
    if match is None:
        return None
    owner, repository = match.group(1).lower(), match.group(2)
    if repository.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{repository}/"


def valid_branch(name: str) -> bool:
    """A branch name git accepts, and that a workflow and hub.yaml can hold quoted as it is
    (no quotes, spaces, colons or other YAML punctuation)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}", name):
        return False
    git = shutil.which("git")
    if git is None:
        return ".." not in name and "//" not in name and not name.endswith((".", "/", ".lock"))
    return subprocess.run([git, "check-ref-format", "--branch", name], capture_output=True,
                          check=False).returncode == 0


# -- where a new hub installs citehub from ---------------------------------------------------

REMOTE_SCHEMES = ("https", "http", "ssh", "git")
# What a URL in requirements.txt must not hold: a space or a newline starts another option
# (`--index-url …`), and '#' or '?' would carry the commit away from the URL into a fragment.
UNSAFE_IN_URL = re.compile(r"[\s#?\\\x00-\x1f\x7f]")


def citehub_requirement(source: str | None = None) -> str:
    """The requirements line a new hub installs citehub with: always something that exists
    and cannot be swapped for other code under the same name.

    `source`: a git repository (an https, ssh or git URL, a file URL or a local folder), with
    `@<ref>` or not; the ref (a branch, a tag, a commit; HEAD when left out) is resolved to
    the full commit it names. Without it: where pip installed this citehub from, when that
    was a commit of a git repository (PEP 610's direct_url.json); the repository of the
    package's metadata (its Project-URL "Source") at the commit of the checkout this citehub
    runs from; else the version, which a package index then has.
    """
    if source is not None:
        url, ref = _split_source(source)
        return f"citehub @ git+{_requirement_url(url)}@{_full_commit(url, ref)}"
    distribution = metadata.distribution("citehub")
    origin = _direct_url(distribution)
    if origin is not None:
        commit = origin.get("vcs_info", {}).get("commit_id")
        if isinstance(commit, str) and FULL_COMMIT.fullmatch(commit):
            return f"citehub @ git+{_requirement_url(origin['url'])}@{commit}"
        checkout = _local_folder(origin)
        repository = _project_source(distribution)
        if checkout is not None and repository is not None:
            commit = _git(checkout, "rev-parse", "HEAD")
            if commit is not None and FULL_COMMIT.fullmatch(commit):
                return f"citehub @ git+{repository}@{commit}"
        raise ScaffoldError(
            "this citehub was installed from local files, which a hub's workflows cannot "
            "install; say where to get it with --citehub-source (a git repository URL)")
    return f"citehub=={distribution.version}"


def _split_source(source: str) -> tuple[str, str]:
    """(repository URL, ref) of `--citehub-source`, checked: nothing in it can become a
    second line, an option or a URL fragment in requirements.txt."""
    if UNSAFE_IN_URL.search(source) or source.startswith("-"):
        raise ScaffoldError(f"--citehub-source {source!r}: expected a git repository URL "
                            "without spaces, '#' or '?'")
    text = source.removeprefix("git+")
    parts = urlsplit(text)
    if parts.scheme in (*REMOTE_SCHEMES, "file"):
        path, at, ref = parts.path.rpartition("@") if "@" in parts.path else (parts.path, "",
                                                                               "")
        url = parts._replace(path=path if at else parts.path).geturl()
        if parts.scheme == "file" and not Path(unquote(urlsplit(url).path)).is_dir():
            raise ScaffoldError(f"--citehub-source: no folder {unquote(urlsplit(url).path)}")
        return url, ref
    if "://" in text or not (Path(text).is_dir() or Path(text.rpartition("@")[0]).is_dir()):
        raise ScaffoldError(f"--citehub-source {source!r}: expected an https, ssh or git URL, "
                            "a file URL or a local folder")
    folder, ref = (text, "") if Path(text).is_dir() else text.rsplit("@", 1)
    return Path(folder).absolute().as_uri(), ref


def _requirement_url(url: str) -> str:
    """`url` as PEP 508 takes it: a local repository's file URL needs a host (older pips,
    such as a new virtual environment's, refuse `file:///…`)."""
    return "file://localhost/" + url.removeprefix("file:///") if url.startswith("file:///") \
        else url


def _direct_url(distribution: metadata.Distribution) -> dict[str, Any] | None:
    text = distribution.read_text("direct_url.json")
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("url"), str) else None


def _local_folder(origin: dict[str, Any]) -> Path | None:
    parts = urlsplit(origin["url"])
    return Path(unquote(parts.path)) if parts.scheme == "file" and "dir_info" in origin else None


def _project_source(distribution: metadata.Distribution) -> str | None:
    for entry in distribution.metadata.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().casefold() in ("source", "repository") and url.strip():
            return str(url.strip())
    return None


def _full_commit(url: str, ref: str) -> str:
    """`ref` (a branch, a tag, a commit, or HEAD when empty) as the full commit it names."""
    if FULL_COMMIT.fullmatch(ref):
        return ref
    git = shutil.which("git")
    if git is None:
        raise ScaffoldError(f"git is needed to find the commit of {url}; give a full commit "
                            "hash after '@'")
    wanted = ref or "HEAD"
    if url.startswith("file://"):  # a local repository understands any revision
        commit = _git(Path(unquote(urlsplit(url).path)), "rev-parse", "--verify", "--quiet",
                      "--end-of-options", f"{wanted}^{{commit}}")
        if commit is None or not FULL_COMMIT.fullmatch(commit):
            raise ScaffoldError(f"cannot find '{wanted}' in {url}")
        return commit
    try:
        listed = subprocess.run([git, "ls-remote", "--", url], capture_output=True, text=True,
                                check=False, timeout=60)
    except subprocess.TimeoutExpired:
        raise ScaffoldError(f"{url} did not answer; give a full commit hash after '@'") from None
    refs: dict[str, str] = {}
    for line in listed.stdout.splitlines():
        commit, _, name = line.partition("\t")
        refs[name] = commit
    for name in (f"refs/tags/{wanted}^{{}}", f"refs/tags/{wanted}", f"refs/heads/{wanted}",
                 wanted):
        commit = refs.get(name)
        if commit is not None and FULL_COMMIT.fullmatch(commit):
            return commit
    reason = listed.stderr.strip().splitlines()[-1:] or ["no such branch, tag or commit"]
    raise ScaffoldError(f"cannot find '{wanted}' in {url}: {reason[0]}")


def _git(folder: Path, *arguments: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    run = subprocess.run([git, "-C", str(folder), *arguments], capture_output=True, text=True,
                         check=False)
    return run.stdout.strip() if run.returncode == 0 else None


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
added: {added}  # the day it came into the hub: feeds list it from then
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
    for folder in (hub.content, papers):
        if folder.exists() and escapes(folder, hub.root):  # a link a pull request committed
            raise ScaffoldError(f"{folder} is a symbolic link to {folder.resolve()}, outside "
                                "the hub folder; refusing to write there")
    papers.mkdir(exist_ok=True)
    for existing in papers.glob("*.md"):
        if existing.stem.casefold() == paper_id.casefold():
            raise ScaffoldError(f"{existing} already exists; refusing to overwrite it")
    if not title.strip():
        raise ScaffoldError("the title must not be empty")
    path = papers / f"{paper_id}.md"
    with path.open("x", encoding="utf-8") as file:  # "x": fails rather than overwrite
        file.write(PAPER_TEMPLATE.format(title=yaml_scalar(title.strip()),
                                         added=datetime.date.today().isoformat()))
    return path
