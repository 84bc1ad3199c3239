"""The build, as one short sequence: load → validate → aggregate → plan → render → write."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from jinja2 import Environment

from citehub.aggregate import aggregate
from citehub.cache import input_digest, recall, remember
from citehub.config import HubConfig, read_config
from citehub.diagnostics import ContentError, Diagnostics
from citehub.linkcheck import LinkChecker
from citehub.load import escapes, load_content, refuse_link
from citehub.model import Corpus
from citehub.pages import PlanError, plan_site
from citehub.render import (
    TemplateProblem,
    check_templates,
    locate_in_templates,
    make_environment,
    render_site,
    static_files,
)
from citehub.report import Reporter
from citehub.validate import validate
from citehub.write import WriteStats, read_marker, recover_abandoned, write_files, write_site

CONTENT_FOLDER = "content"


@dataclass
class BuildResult:
    papers: int
    pages: int
    stats: WriteStats
    seconds: float
    diagnostics: Diagnostics
    stage_seconds: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False  # the inputs were those of the site already in place: no work


def load_corpus(
    hub_dir: Path,
    diagnostics: Diagnostics,
    *,
    include_drafts: bool = False,
    base_url: str | None = None,
) -> Corpus:
    """Read and validate content/; problems go to `diagnostics`, the corpus is best effort."""
    content_dir = hub_dir / CONTENT_FOLDER
    if escapes(content_dir, hub_dir):
        refuse_link(diagnostics, content_dir, "the hub folder")
        return Corpus(HubConfig(), MappingProxyType({}))
    raw = load_content(content_dir, diagnostics)
    config = read_config(raw.hub, diagnostics)
    diagnostics.levels = config.warnings
    if base_url is not None:
        config = config.with_base_url(base_url)  # the CLI has checked it
    corpus = validate(raw, config, diagnostics, include_drafts=include_drafts)
    diagnostics.apply_levels(config.warnings)
    return corpus


def build(
    hub_dir: Path,
    out_dir: Path,
    *,
    include_drafts: bool = False,
    base_url: str | None = None,
    reporter: Reporter | None = None,
    workers: int | None = None,
) -> BuildResult:
    """Build the hub in `hub_dir` into `out_dir`; raises ContentError on content problems.

    `workers`: processes that render (default: one per core this process may use).
    """
    reporter = reporter or Reporter()
    started = time.perf_counter()
    stages: dict[str, float] = {}
    try:
        return _build(hub_dir, out_dir, include_drafts, base_url, reporter, started, stages,
                      workers or len(os.sched_getaffinity(0)))
    finally:
        gc.unfreeze()  # what the build froze can be collected once it is over


def _build(
    hub_dir: Path,
    out_dir: Path,
    include_drafts: bool,
    base_url: str | None,
    reporter: Reporter,
    started: float,
    stages: dict[str, float],
    workers: int,
) -> BuildResult:
    def lap(stage: str, since: float) -> float:
        now = time.perf_counter()
        stages[stage] = now - since
        return now

    # First, so even a build that fails on content puts back a site a killed build moved aside.
    recover_abandoned(out_dir.absolute())
    digest = input_digest(hub_dir, {"drafts": include_drafts, "base_url": base_url})
    previous = recall(hub_dir, out_dir, digest, read_marker(out_dir))
    if previous is not None:
        summary, replayed = previous
        stages["unchanged"] = time.perf_counter() - started
        return BuildResult(
            int(str(summary["papers"])), int(str(summary["pages"])),
            WriteStats(int(str(summary["files"])), int(str(summary["bytes"]))),
            time.perf_counter() - started, replayed, stages, unchanged=True)
    diagnostics = Diagnostics()
    with long_lived_objects():
        corpus = load_corpus(hub_dir, diagnostics, include_drafts=include_drafts,
                             base_url=base_url)
        if diagnostics.has_errors:
            raise ContentError(diagnostics)
        mark = lap("load", started)
        site = aggregate(corpus)
        mark = lap("aggregate", mark)
        try:
            planned = plan_site(corpus.config, site)
        except PlanError as error:
            diagnostics.error(hub_dir / CONTENT_FOLDER, 1, str(error))
            raise ContentError(diagnostics) from None
    check_templates(hub_dir, diagnostics)
    statics = static_files(hub_dir, diagnostics)
    if diagnostics.has_errors:
        raise ContentError(diagnostics)
    _check_static_collisions(statics, {file.path for file in planned}, diagnostics)
    mark = lap("plan", mark)
    environment = make_environment(hub_dir, corpus.config)

    links = LinkChecker(corpus.config.base_path)
    urls_and_templates = {file.path: (file.url, file.template) for file in planned}

    def fill(root: Path) -> WriteStats:
        rendered, written = render_site(
            root, planned, environment, workers,
            lambda results, count: reporter.progress(results, count, "Rendering"))
        for path, found in written:
            if found is None:
                links.add_file(path)
            else:
                links.add_page(path, *urls_and_templates[path], found)
        copied = write_files(root, statics.items())
        for path in statics:
            links.add_file(path)
        # Still inside the write: a broken link fails the build before the swap.
        report_broken_links(links, environment, diagnostics)
        return WriteStats(rendered.files + copied.files, rendered.bytes + copied.bytes)

    try:
        stats = write_site(out_dir, fill, inputs=digest)
    except TemplateProblem as problem:
        diagnostics.error(problem.path, problem.line, problem.message)
        raise ContentError(diagnostics) from None
    lap("render+write", mark)
    pages = sum(1 for file in planned if file.path.suffix == ".html")
    remember(hub_dir, out_dir, digest, {"papers": len(corpus.papers), "pages": pages,
                                        "files": stats.files, "bytes": stats.bytes},
             diagnostics)
    return BuildResult(len(corpus.papers), pages, stats, time.perf_counter() - started,
                       diagnostics, stages)


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """Build the model without the cyclic garbage collector, then exempt it from collection.

    Loading makes millions of objects that live as long as the build and form no cycles;
    with the collector on, each full collection walks all of them again, which made loading
    a 10,000-paper hub four times slower. Rendering, which does make short-lived cycles,
    runs with the collector on but no longer re-examines the model.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def report_broken_links(
    links: LinkChecker, environment: Environment, diagnostics: Diagnostics
) -> None:
    broken = links.broken()
    for link in broken:
        path, line = locate_in_templates(environment, link.template, link.target)
        diagnostics.error(path, line, f"the link '{link.target}' on {link.page} {link.reason} "
                                      f"(line {link.line} of the page)")
    if broken:
        raise ContentError(diagnostics)


def _check_static_collisions(
    statics: dict[PurePosixPath, Path],
    generated: set[PurePosixPath],
    diagnostics: Diagnostics,
) -> None:
    clashes = sorted(path for path in statics if path in generated)
    for path in clashes:
        diagnostics.error(statics[path], 1, f"static file would overwrite the generated {path}")
    if clashes:
        raise ContentError(diagnostics)
