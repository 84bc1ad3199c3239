"""The build, as one short sequence: load → validate → aggregate → plan → render → write."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from jinja2 import Environment

from citehub.aggregate import SiteAggregates, aggregate, update
from citehub.cache import (
    ContentCache,
    Manifest,
    content_salt,
    input_digest,
    layout_digest,
    recall,
    recall_pages,
    remember,
    remember_pages,
)
from citehub.config import HubConfig, read_config
from citehub.diagnostics import ContentError, Diagnostics
from citehub.linkcheck import LinkChecker, extract
from citehub.load import PAPERS_FOLDER, escapes, load_content, read_paper_file, refuse_link
from citehub.model import Corpus
from citehub.pages import PlanError, PlannedFile, plan_site
from citehub.render import (
    TemplateProblem,
    check_templates,
    locate_in_templates,
    make_environment,
    render_site,
    static_files,
)
from citehub.report import Reporter
from citehub.search import SearchError, search_files
from citehub.urls import Urls
from citehub.validate import revalidate, validate
from citehub.write import (
    WriteStats,
    read_marker,
    recover_abandoned,
    update_site,
    write_files,
    write_site,
)

CONTENT_FOLDER = "content"


@dataclass(frozen=True)
class Model:
    """A hub read, validated and aggregated: what a preview keeps between saves."""

    corpus: Corpus
    site: SiteAggregates


@dataclass
class BuildResult:
    papers: int
    pages: int
    stats: WriteStats
    seconds: float
    diagnostics: Diagnostics
    stage_seconds: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False  # the inputs were those of the site already in place: no work
    written: int = 0  # files this build wrote: all of them, or what changed in place
    base_path: str = "/"  # where the site lives on its host, from base_url
    model: Model | None = None  # what the site was made from, unless nothing changed


def load_model(hub_dir: Path, *, include_drafts: bool = False) -> Model:
    """The hub read and aggregated (papers from the content cache where they are unchanged);
    ContentError on content problems."""
    diagnostics = Diagnostics()
    with long_lived_objects():
        corpus = load_corpus(hub_dir, diagnostics, include_drafts=include_drafts, reuse=True)
        if diagnostics.has_errors:
            raise ContentError(diagnostics)
        return Model(corpus, aggregate(corpus))


def patch_model(
    model: Model, hub_dir: Path, changed: Iterable[Path], *, include_drafts: bool = False
) -> Model | None:
    """The model after these files changed, when they are files of known papers edited in
    place and read without error (what an author's save usually is): only those are read,
    and only the hubs showing them made again. None when the whole hub must be read again
    (a paper added or removed, a draft published, hub.yaml, a problem to report)."""
    content_dir = hub_dir / CONTENT_FOLDER
    papers_dir = content_dir / PAPERS_FOLDER
    diagnostics = Diagnostics()
    documents = []
    for path in sorted(set(changed)):
        if path.parent == papers_dir and (path.name.startswith(".") or path.suffix != ".md"):
            continue  # what the loader skips: editors' swap and backup files
        if path.parent != papers_dir or path.stem not in model.corpus.known_ids:
            return None
        document = read_paper_file(path, content_dir, diagnostics)
        if document is None or diagnostics.has_errors:
            return None
        documents.append(document)
    revised = revalidate(model.corpus, documents, diagnostics, include_drafts=include_drafts)
    if revised is None:
        return None
    corpus, changed_ids = revised
    return Model(corpus, update(model.site, corpus, changed_ids))


def load_corpus(
    hub_dir: Path,
    diagnostics: Diagnostics,
    *,
    include_drafts: bool = False,
    base_url: str | None = None,
    reuse: bool = False,
) -> Corpus:
    """Read and validate content/; problems go to `diagnostics`, the corpus is best effort.

    `reuse`: take unchanged papers from the hub's content cache, and keep this build's.
    """
    content_dir = hub_dir / CONTENT_FOLDER
    if escapes(content_dir, hub_dir):
        refuse_link(diagnostics, content_dir, "the hub folder")
        return Corpus(HubConfig(), MappingProxyType({}))
    cache = ContentCache.open(hub_dir, content_salt(hub_dir)) if reuse else None
    raw = load_content(content_dir, diagnostics, cache)
    config = read_config(raw.hub, diagnostics)
    diagnostics.levels = config.warnings
    if base_url is not None:
        config = config.with_base_url(base_url)  # the CLI has checked it
    corpus = validate(raw, config, diagnostics, include_drafts=include_drafts,
                      on_clean=cache.keep if cache else None)
    diagnostics.apply_levels(config.warnings)
    if cache is not None and not diagnostics.has_errors:
        cache.save()
    return corpus


def build(
    hub_dir: Path,
    out_dir: Path,
    *,
    include_drafts: bool = False,
    base_url: str | None = None,
    reporter: Reporter | None = None,
    workers: int | None = None,
    cache: bool = True,
    search: bool = True,
) -> BuildResult:
    """Build the hub in `hub_dir` into `out_dir`; raises ContentError on content problems.

    `workers`: processes that render (default: one per core this process may use).
    `cache`: reuse what earlier builds left (the site in place, parsed papers); without it
    the build starts from nothing (its site is still recorded for the next build).
    """
    reporter = reporter or Reporter()
    started = time.perf_counter()
    stages: dict[str, float] = {}
    try:
        return _build(hub_dir, out_dir, include_drafts, base_url, reporter, started, stages,
                      workers or len(os.sched_getaffinity(0)), cache, search)
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
    cache: bool,
    search: bool,
) -> BuildResult:
    def lap(stage: str, since: float) -> float:
        now = time.perf_counter()
        stages[stage] = now - since
        return now

    # First, so even a build that fails on content puts back a site a killed build moved aside.
    recover_abandoned(out_dir.absolute())
    layout = layout_digest(hub_dir, {"drafts": include_drafts, "base_url": base_url,
                                     "search": search})
    inputs = input_digest(hub_dir, layout)
    digest = inputs.digest
    marker = read_marker(out_dir)
    previous = recall(hub_dir, out_dir, inputs, marker) if cache else None
    if previous is not None:
        summary, replayed = previous
        stages["unchanged"] = time.perf_counter() - started
        return BuildResult(
            int(str(summary["papers"])), int(str(summary["pages"])),
            WriteStats(int(str(summary["files"])), int(str(summary["bytes"]))),
            time.perf_counter() - started, replayed, stages, unchanged=True,
            base_path=str(summary.get("base_path", "/")))
    diagnostics = Diagnostics()
    with long_lived_objects():
        corpus = load_corpus(hub_dir, diagnostics, include_drafts=include_drafts,
                             base_url=base_url, reuse=cache)
        if diagnostics.has_errors:
            raise ContentError(diagnostics)
        mark = lap("load", started)
        site = aggregate(corpus)
        mark = lap("aggregate", mark)
        try:
            planned = plan_site(corpus.config, site, layout)
        except PlanError as error:
            diagnostics.error(hub_dir / CONTENT_FOLDER, 1, str(error))
            raise ContentError(diagnostics) from None
        if search:
            mark = lap("plan", mark)
            try:
                planned += search_files(site, Urls.of(corpus.config))
            except SearchError as error:
                diagnostics.error(hub_dir / CONTENT_FOLDER, 1, f"the search index failed: "
                                                               f"{error} (--no-search skips it)")
                raise ContentError(diagnostics) from None
            mark = lap("search", mark)
    check_templates(hub_dir, diagnostics)
    statics = {path.as_posix(): source
               for path, source in static_files(hub_dir, diagnostics).items()}
    if diagnostics.has_errors:
        raise ContentError(diagnostics)
    _check_static_collisions(statics, {file.path for file in planned}, diagnostics)
    mark = lap("plan", mark)
    environment = make_environment(hub_dir, corpus.config)

    manifest = recall_pages(hub_dir, out_dir, marker) if cache else None
    work = Work.of(planned, statics, layout, manifest)

    links = LinkChecker(corpus.config.base_path)
    for path in work.fingerprints:
        links.add_file(path)
    if work.in_place:
        # Pages kept from the site in place: read for their ids only when a link needs them.
        links.ids_of = partial(_page_ids, out_dir)
    urls_and_templates = {file.path: (file.url, file.template) for file in planned}
    sizes = {path: size for path, (_, size) in (manifest or {}).items()}

    def fill(root: Path) -> WriteStats:
        rendered, written = render_site(
            root, work.render, environment, workers,
            lambda results, count: reporter.progress(results, count, "Rendering"))
        for path, size, found in written:
            sizes[path] = size
            if found is not None:
                links.add_page(path, *urls_and_templates[path], found)
        copied = write_files(root, work.copy.items())
        for path in work.copy:
            sizes[path] = (root / path).stat().st_size
        # Still inside the write: a broken link fails the build before the site changes.
        report_broken_links(links, environment, diagnostics)
        return WriteStats(rendered.files + copied.files, rendered.bytes + copied.bytes)

    try:
        if work.in_place:
            wrote = update_site(out_dir, fill, work.removed, inputs=digest)
        else:
            wrote = write_site(out_dir, fill, inputs=digest)
    except TemplateProblem as problem:
        diagnostics.error(problem.path, problem.line, problem.message)
        raise ContentError(diagnostics) from None
    lap("render+write", mark)
    pages = sum(1 for file in planned if file.path.endswith(".html"))
    # The whole site's files and bytes, not only this build's share of them.
    stats = WriteStats(len(work.fingerprints), sum(sizes[path] for path in work.fingerprints))
    remember_pages(hub_dir, out_dir, digest, {
        path: (fingerprint, sizes[path]) for path, fingerprint in work.fingerprints.items()
    })
    remember(hub_dir, out_dir, inputs, {"papers": len(corpus.papers), "pages": pages,
                                        "files": stats.files, "bytes": stats.bytes,
                                        "base_path": corpus.config.base_path},
             diagnostics)
    return BuildResult(len(corpus.papers), pages, stats, time.perf_counter() - started,
                       diagnostics, stages, written=wrote.files,
                       base_path=corpus.config.base_path, model=Model(corpus, site))


# A rebuild that changes at most this many files, or this share of the site, updates the
# site in place; a larger one writes a whole new site beside it (and swaps).
INCREMENTAL_MIN_FILES = 200
INCREMENTAL_SHARE = 0.25


@dataclass(frozen=True)
class Work:
    """What a build writes, given the site in place (its manifest, if it has one)."""

    fingerprints: dict[str, str]  # every file of the new site
    render: list[PlannedFile]  # the planned files to render
    copy: dict[str, Path]  # the static files to copy
    removed: list[PurePosixPath]  # files of the site in place the new one no longer has
    in_place: bool  # update the site in place, rather than write a whole new one

    @classmethod
    def of(cls, planned: list[PlannedFile], statics: dict[str, Path], layout: str,
           manifest: Manifest | None) -> Work:
        # Static files depend on nothing but the layout, which is in every fingerprint.
        fingerprints = {file.path: file.fingerprint for file in planned}
        fingerprints.update((path, layout) for path in statics)
        if manifest is None:
            return cls(fingerprints, planned, statics, [], in_place=False)

        def changed(path: str, fingerprint: str) -> bool:
            kept = manifest.get(path)
            return kept is None or kept[0] != fingerprint

        render = [file for file in planned if changed(file.path, file.fingerprint)]
        copy = {path: source for path, source in statics.items() if changed(path, layout)}
        removed = sorted(PurePosixPath(path) for path in manifest if path not in fingerprints)
        if len(render) + len(copy) + len(removed) > max(
                INCREMENTAL_MIN_FILES, len(fingerprints) * INCREMENTAL_SHARE):
            return cls(fingerprints, planned, statics, [], in_place=False)
        return cls(fingerprints, render, copy, removed, in_place=True)


def _page_ids(out_dir: Path, path: str) -> set[str]:
    try:
        return extract((out_dir / path).read_bytes()).ids
    except OSError:
        return set()


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """Build the model without the cyclic garbage collector, then exempt it from collection.

    Loading makes millions of objects that live as long as the build and form no cycles;
    with the collector on, each full collection walks all of them again, which made loading
    a 10,000-paper hub four times slower. Rendering, which does make short-lived cycles,
    runs with the collector on but no longer re-examines the model.
    """
    was_enabled = gc.isenabled()
    # What an earlier build in this process left (a preview rebuilds many times) goes first,
    # or freezing would keep it, and every rebuild would carry more of it.
    gc.collect()
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
    statics: dict[str, Path],
    generated: set[str],
    diagnostics: Diagnostics,
) -> None:
    clashes = sorted(path for path in statics if path in generated)
    for path in clashes:
        diagnostics.error(statics[path], 1, f"static file would overwrite the generated {path}")
    if clashes:
        raise ContentError(diagnostics)
