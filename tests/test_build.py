"""End to end: the demo hub, determinism, atomic output, the installed package."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, Hub, temporary_folders
from pages_helpers import broken_links, entry_titles, section, soup, text_of

DEMO_SURVEY = "2402.13116"


def tree_digest(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if path.is_file()
    }


def run_citehub(*args: str, cwd: Path,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console script, as a user runs it."""
    executable = Path(sys.executable).parent / "citehub"
    return subprocess.run([str(executable), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "GITHUB_ACTIONS": "", **(env or {})}, check=False)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    result = run_citehub("build", str(REPO), "-o", str(out), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert re.fullmatch(
        r"built 1825 papers into \S+: \d+ pages, \d+ files, [\d.]+ [kM]B in [\d.]+ s\n",
        result.stdout,
    ), result.stdout
    return out


def test_demo_survey_page_shows_its_citing_papers_and_references(demo_site: Path) -> None:
    page = soup((demo_site / "papers" / DEMO_SURVEY / "index.html").read_text())
    assert text_of(page.h1) == "A Survey on Knowledge Distillation of Large Language Models"
    # Its five citing papers all have a novelty score: picking "the most novel" would pick them
    # all, and repeat the list below.
    assert page.find(id="representative") is None
    assert len(entry_titles(section(page, "citing"))) == 5
    references = entry_titles(section(page, "references"))
    assert len(references) == 215
    assert "MiniLLM: Knowledge Distillation of Large Language Models" in references
    # Five citing papers fit on the page: its terms filter that list instead of filter pages.
    assert not (demo_site / "papers" / DEMO_SURVEY / "role").exists()
    summary_links = [a["href"] for a in section(page, "summaries").select("a")]
    assert f"/kd-hub/papers/{DEMO_SURVEY}/?role=background#citing" in summary_links


def test_demo_bleu_hub_shows_the_corpus_polarities_and_sentences(demo_site: Path) -> None:
    """BLEU's citations in Athar's Citation Sentiment Corpus: 305 citing papers, each
    citation's polarity from its sentences' labels and the sentences as its contexts."""
    page = soup((demo_site / "papers" / "P02-1040" / "index.html").read_text())
    assert text_of(page.h1) == "Bleu: a Method for Automatic Evaluation of Machine Translation"
    counts = text_of(page.select_one(".hub-header .counts"))
    assert "305 citing papers in this hub" in counts
    assert text_of(page.select_one(".hub-header .badge-kind")) == "Canonical reference"
    legend = text_of(section(page, "summaries").select_one(".distribution .legend"))
    assert legend == "cited as background 260 85% supports 32 10% contrasts 13 4%"
    citing = section(page, "citing")
    assert citing.select(".entry .context") and citing.select(".tag.polarity-contrast")
    assert "K. Papineni" not in text_of(citing)  # the entries are the citing papers'
    assert section(page, "representative") is not None


def test_every_link_of_the_demo_resolves(demo_site: Path) -> None:
    assert broken_links(demo_site) == []


def test_demo_reference_page_shows_the_survey_section_as_context(demo_site: Path) -> None:
    page = soup((demo_site / "papers" / "2306.08543" / "index.html").read_text())
    citing = section(page, "citing")
    assert entry_titles(citing) == ["A Survey on Knowledge Distillation of Large Language Models"]
    assert "Feature" in [text_of(quote) for quote in citing.select(".context")]


def test_demo_check_is_clean(tmp_path: Path) -> None:
    result = run_citehub("check", str(REPO), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("checked 1825 papers and their 1960 pages (")
    assert result.stdout.endswith(" rendered, nothing written): 0 errors, 0 warnings\n")


def test_same_content_builds_byte_identical_sites(demo_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = run_citehub("build", str(REPO), "-o", str(again), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert tree_digest(again) == tree_digest(demo_site)


def test_rebuild_replaces_the_previous_site(hub: Hub) -> None:
    hub.paper("old", "title: Old")
    assert hub.build().exit_code == 0
    (hub.root / "content" / "papers" / "old.md").unlink()
    hub.paper("new", "title: New")
    assert hub.build().exit_code == 0
    assert (hub.site / "papers" / "new" / "index.html").is_file()
    assert not (hub.site / "papers" / "old").exists()
    assert temporary_folders(hub.root) == []


def test_failed_render_leaves_the_previous_site_untouched(hub: Hub) -> None:
    hub.paper("p", "title: P")
    assert hub.build().exit_code == 0
    before = tree_digest(hub.site)
    # A template that fails only while rendering, after some files were already written.
    hub.file("templates/paper.html", "{{ no_such_variable.attribute }}\n")
    result = hub.build()
    assert result.exit_code == 1
    assert "templates/paper.html:1: error: template error" in result.stderr
    assert "left as it was" in result.stderr
    assert tree_digest(hub.site) == before
    assert temporary_folders(hub.root) == []


def test_interrupted_build_leaves_the_previous_site_untouched(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citehub import render

    hub.config("base_url: https://example.org/\n")
    hub.paper("p", "title: P")
    assert hub.build().exit_code == 0
    before = tree_digest(hub.site)
    hub.paper("q", "title: Q")  # a change, so the next build renders instead of skipping
    original = render.render_template
    calls = []

    def interrupted(*args: object, **kwargs: object) -> str:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "render_template", interrupted)
    with pytest.raises(KeyboardInterrupt):
        from citehub.build import build

        build(hub.root, hub.site)
    assert tree_digest(hub.site) == before
    assert temporary_folders(hub.root) == []


def test_build_refuses_to_replace_a_folder_it_did_not_make(hub: Hub) -> None:
    hub.paper("p", "title: P")
    precious = hub.root / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    result = hub.build("-o", str(precious))
    assert result.exit_code == 1
    assert "not empty and was not made by citehub" in result.stderr
    assert (precious / "thesis.tex").read_text() == "years of work"
    assert sorted(p.name for p in precious.iterdir()) == ["thesis.tex"]


def test_build_into_an_empty_folder_works(hub: Hub) -> None:
    hub.paper("p", "title: P")
    out = hub.root / "out"
    out.mkdir()
    assert hub.build("-o", str(out)).exit_code == 0
    assert (out / "papers" / "p" / "index.html").is_file()


def test_usage_errors_exit_2(hub: Hub) -> None:
    assert hub.cli("build", "--no-such-option").exit_code == 2
    assert hub.cli("frobnicate").exit_code == 2


def test_the_console_script_exits_with_the_commands_code_and_all_its_output(
        tmp_path: Path) -> None:
    """`citehub` leaves without tearing its heap down (cli.run): what it printed must all
    come out first, and the code must be the command's."""
    hub = tmp_path / "hub"
    (hub / "content" / "papers").mkdir(parents=True)
    (hub / "content" / "papers" / "a.md").write_text("---\ntitle: A\ndate: 2020\n---\n")
    built = run_citehub("build", str(hub), "--no-search", cwd=tmp_path)
    assert built.returncode == 0 and built.stdout.startswith("built 1 paper")
    (hub / "content" / "papers" / "b.md").write_text("---\ntitle: B\ncites: [{paper: x}]\n---\n")
    failed = run_citehub("build", str(hub), "--no-search", cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[-1].startswith("build failed: ")
    assert run_citehub("build", "--no-such-option", cwd=tmp_path).returncode == 2
    assert "Usage:" in run_citehub("--help", cwd=tmp_path).stdout


def test_no_progress_bar_when_not_on_a_terminal(tmp_path: Path) -> None:
    result = run_citehub("build", str(REPO), "-o", str(tmp_path / "site"), cwd=REPO)
    assert result.returncode == 0
    assert result.stderr == ""


def test_the_installed_package_carries_the_default_theme(tmp_path: Path) -> None:
    """A hub repository elsewhere builds with nothing but the installed package."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(wheel_dir), str(REPO)],
        check=True, capture_output=True,
    )
    wheel = next(wheel_dir.glob("citehub-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "citehub/theme/templates/paper.html" in names
        assert "citehub/theme/static/style.css" in names
        archive.extractall(tmp_path / "installed")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(REPO / "tests" / "fixtures" / "minimal", elsewhere)
    result = subprocess.run(
        [sys.executable, "-c", "from citehub.cli import main; main()", "build", "."],
        cwd=elsewhere, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "installed"), "PYTHONSAFEPATH": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "site" / "style.css").is_file()
    assert "installed" in subprocess.run(
        [sys.executable, "-c", "import citehub; print(citehub.__file__)"],
        cwd=elsewhere, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "installed"), "PYTHONSAFEPATH": "1"},
    ).stdout


def test_rendering_on_several_processes_writes_the_same_site(tmp_path: Path) -> None:
    # In a subprocess: forking the test process, which runs server threads for the browser
    # tests, is not what users do.
    forced = {"CITEHUB_PARALLEL_MIN_FILES": "0"}  # the demo is small: force the workers
    one = run_citehub("build", str(REPO), "-o", str(tmp_path / "one"), cwd=REPO)
    two = run_citehub("build", str(REPO), "-o", str(tmp_path / "two"), cwd=REPO, env=forced)
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert tree_digest(tmp_path / "two") == tree_digest(tmp_path / "one")


def test_template_error_in_a_worker_is_reported_like_any_other(hub: Hub) -> None:
    hub.paper("p", "title: P")
    hub.file("templates/paper.html", "{{ no_such_variable.attribute }}\n")
    result = run_citehub("build", ".", cwd=hub.root, env={"CITEHUB_PARALLEL_MIN_FILES": "0"})
    assert result.returncode == 1
    assert "templates/paper.html:1: error: template error" in result.stderr
    assert "Traceback" not in result.stderr
    assert not hub.site.exists()
    assert temporary_folders(hub.root) == []


def timings(stdout: str) -> tuple[float, dict[str, float]]:
    """The build's total seconds and `--timings`' figure for each stage, in order."""
    summary, *lines = stdout.splitlines()
    total = re.search(r" in ([\d.]+) s$", summary)
    assert total is not None, summary
    stages = {}
    for line in lines:
        stage = re.fullmatch(r"  (\S+) +([\d.]+) s", line)
        assert stage is not None, line
        stages[stage.group(1)] = float(stage.group(2))
    return float(total.group(1)), stages


def test_timings_give_each_stage_its_own_figure(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow search index shows in the search stage, not in planning around it, and the
    stages add up to no more than the whole build."""
    import time

    from citehub.search import SearchIndex

    original = SearchIndex.files

    def slow_search(self: SearchIndex) -> object:
        time.sleep(0.4)
        return original(self)

    monkeypatch.setattr(SearchIndex, "files", slow_search)
    hub.paper("a", "title: A")
    hub.paper("b", "title: B\ncites: [{paper: a, role: method}]")
    run = hub.build("--timings")
    assert run.exit_code == 0, run.stderr
    total, stages = timings(run.stdout)
    assert list(stages) == ["inputs", "unchanged", "load", "aggregate", "search", "plan",
                            "render+write", "record"]
    assert stages["search"] >= 0.4 > stages["plan"]
    assert sum(stages.values()) <= total + 0.01 + 0.0005 * len(stages)

    again = hub.build("--timings")
    assert again.stdout.startswith("nothing changed")
    _, stages = timings(again.stdout)
    assert list(stages) == ["inputs", "unchanged"]


def test_a_stage_timed_in_pieces_adds_them_up() -> None:
    import time

    from citehub.build import Timer

    timer = Timer()
    with timer.stage("plan"):
        time.sleep(0.05)
    with timer.stage("search"):
        pass
    with timer.stage("plan"):
        time.sleep(0.05)
    assert list(timer.stages) == ["plan", "search"]
    assert timer.stages["plan"] >= 0.1 and timer.elapsed >= sum(timer.stages.values())
