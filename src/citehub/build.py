"""The build, as one short sequence: load → validate → aggregate → plan → render → write.

`build` is that sequence; each step is a named method of `Build`, and each stage's work is
done by its own module (see README's "How the code is laid out"). What rebuilds reuse is
decided in `incremental`; every file of the hub is read through `hubfiles`.
"""

from __future__ import annotations

import gc
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import NoReturn

from jinja2 import Environment

from citehub.aggregate import SiteAggregates, aggregate, update
from citehub.config import read_config
from citehub.diagnostics import ContentError, Diagnostics
from citehub.hubfiles import HubLayout, WriteStats, linked_folder, write_files
from citehub.incremental.content import ContentCache
from citehub.incremental.inputs import (
    Inputs,
    Summary,
    input_digest,
    layout_digest,
    recall,
    remember,
)
from citehub.incremental.manifest import Manifest, Work, recall_pages, remember_pages
from citehub.linkcheck import LinkChecker, ids_in_file
from citehub.load import load_content, read_paper_file
from citehub.model import Corpus
from citehub.pages import PlanError, PlannedFile, plan_site
from citehub.render import (
    TemplateProblem,
    check_templates,
    hub_written_templates,
    locate_in_templates,
    make_environment,
    render_site,
    static_files,
)
from citehub.report import Reporter, human_bytes
from citehub.search import SearchError, SearchIndex
from citehub.urls import Urls
from citehub.validate import revalidate, validate
from citehub.write import read_marker, recover_abandoned, staged_output

# GitHub Pages publishes sites of at most 1 GB: fail over it, and warn in time.
MAX_SITE_BYTES = 1_000_000_000
LARGE_SITE_BYTES = 800_000_000


@dataclass(frozen=True)
class BuildOptions:
    """How to build: what the command line says, and what a preview keeps for every rebuild."""

    drafts: bool = False  # include papers marked draft: true
    base_url: str | None = None  # instead of hub.yaml's (the CLI has checked it)
    repo_url: str | None = None  # instead of hub.yaml's (the CLI has checked it)
    workers: int | None = None  # processes that render (default: one per core we may use)
    cache: bool = True  # reuse what earlier builds left (the site in place, parsed papers)
    search: bool = True  # build the search index

    def output_options(self) -> dict[str, object]:
        """The options that change what is built (the others only change how fast)."""
        return {"drafts": self.drafts, "base_url": self.base_url, "repo_url": self.repo_url,
                "search": self.search}

    def worker_count(self) -> int:
        return self.workers or len(os.sched_getaffinity(0))


class Timer:
    """How long each stage of a build took, in the order they ran; a stage timed in several
    pieces adds them up (Zola's `log_time`, as a context manager)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.stages: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


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
    origin: str = ""  # and on which host: "" when base_url is only a path
    model: Model | None = None  # what the site was made from, unless nothing changed


@dataclass(frozen=True)
class Plan:
    files: list[PlannedFile]  # every file rendered or given as bytes
    statics: dict[str, Path]  # every file copied as it is, by output path

    @property
    def pages(self) -> int:
        return sum(1 for file in self.files if file.path.endswith(".html"))


@dataclass(frozen=True)
class Written:
    work: Work  # what there was to do, given the site in place
    sizes: dict[str, int]  # of the files this build wrote
    manifest: Manifest  # of the whole site now in place


def build(hub_dir: Path, out_dir: Path, options: BuildOptions = BuildOptions(),
          reporter: Reporter | None = None) -> BuildResult:
    """Build the hub in `hub_dir` into `out_dir`; raises ContentError on content problems.

    Skip everything when the inputs are those of the site in place; else read the model,
    plan every file, render and write them into a staged output that goes into place only
    when whole, and record what the next build reuses.
    """
    run = Build(HubLayout(hub_dir), out_dir, options, reporter or Reporter())
    # First, so even a build that fails on content puts back a site a killed build moved aside.
    recover_abandoned(out_dir.absolute())
    inputs = run.read_inputs()
    skipped = run.skip_unchanged(inputs)
    if skipped is not None:
        return skipped
    try:
        with long_lived_objects():
            model = run.read_model()
            plan = run.plan(model, inputs.layout)
        written = run.write(model, plan, inputs)
    finally:
        gc.unfreeze()  # what the build froze can be collected once it is over
    return run.record(model, plan, inputs, written)


@dataclass
class Build:
    """One build's settings and what it has found so far; its steps, in order, are `build`."""

    hub: HubLayout
    out_dir: Path
    options: BuildOptions
    reporter: Reporter
    timer: Timer = field(default_factory=Timer)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    marker: str = ""  # of the site in place

    def read_inputs(self) -> Inputs:
        with self.timer.stage("inputs"):
            layout = layout_digest(self.hub, self.options.output_options())
            self.marker = read_marker(self.out_dir)
            return input_digest(self.hub, layout)

    def skip_unchanged(self, inputs: Inputs) -> BuildResult | None:
        """The last build's result when its inputs were these and its site is in place."""
        if not self.options.cache:
            return None
        with self.timer.stage("unchanged"):
            kept = recall(self.hub, self.out_dir, inputs, self.marker)
        if kept is None:
            return None
        summary, replayed = kept
        return self.result(summary, replayed, unchanged=True)

    def read_model(self) -> Model:
        with self.timer.stage("load"):
            corpus = load_corpus(self.hub.root, self.diagnostics, self.options)
        if self.diagnostics.has_errors:
            raise ContentError(self.diagnostics)
        with self.timer.stage("aggregate"):
            return Model(corpus, aggregate(corpus))

    def plan(self, model: Model, layout: str) -> Plan:
        config = model.corpus.config
        search = None
        if self.options.search:
            # Pagefind indexes in processes of its own while the pages are planned; what it
            # fails on comes out of `files`.
            with self.timer.stage("search"):
                search = SearchIndex.start(model.site, Urls.of(config),
                                           self.hub if self.options.cache else None)
        try:
            with self.timer.stage("plan"):
                files = plan_site(config, model.site, layout)
            if search is not None:
                with self.timer.stage("search"):
                    files += search.files()
        except PlanError as error:
            self.fail(str(error))
        except SearchError as error:
            self.fail(f"the search index failed: {error} (--no-search skips it)")
        finally:
            if search is not None:
                search.cancel()
        with self.timer.stage("plan"):
            check_templates(self.hub, self.diagnostics)
            statics = {path.as_posix(): source
                       for path, source in static_files(self.hub, self.diagnostics).items()}
            if self.diagnostics.has_errors:
                raise ContentError(self.diagnostics)
            check_static_collisions(statics, {file.path for file in files}, self.diagnostics)
        return Plan(files, statics)

    def write(self, model: Model, plan: Plan, inputs: Inputs) -> Written:
        """Render and copy what changed into a staged output, which goes into place only
        when every file is written and every link resolves."""
        with self.timer.stage("render+write"):
            manifest = (recall_pages(self.hub, self.out_dir, self.marker)
                        if self.options.cache else None)
            work = Work.of(plan.files, plan.statics, inputs.layout, manifest)
            if work.in_place and linked_folder(self.out_dir, work.paths()) is not None:
                # citehub makes no links: one in the site was planted, and an update in
                # place would write through it. A whole new site never looks inside the old.
                work = Work.of(plan.files, plan.statics, inputs.layout, None)
            with staged_output(self.out_dir, work.site, in_place=work.in_place,
                               removed=work.removed) as root:
                # Inside the staged output: a problem fails before the site changes.
                sizes, manifest = self.render(model, plan, work, root)
        return Written(work, sizes, manifest)

    def render(self, model: Model, plan: Plan, work: Work,
               root: Path | None) -> tuple[dict[str, int], Manifest]:
        """Render and copy `work` into `root` (in memory only when None, for `check`), then
        refuse what must not be published: a template that fails, a broken link, a site
        over GitHub Pages' limit. Returns the sizes written and the new site's manifest."""
        environment = make_environment(self.hub, model.corpus.config)
        scan_links = bool(hub_written_templates(self.hub))
        links = LinkChecker(model.corpus.config.base_path)
        for path in work.fingerprints:
            links.add_file(path)
        if work.in_place and root is not None:
            # Pages kept from the site in place: read for their ids when a link needs them.
            links.ids_of = partial(ids_in_file, self.out_dir)
        pages = {file.path: (file.url, file.template) for file in plan.files}
        sizes: dict[str, int] = {}
        try:
            _, rendered = render_site(
                root, work.render, environment, self.options.worker_count(),
                partial(self.reporter.progress, label="Rendering"), scan_links)
        except TemplateProblem as problem:
            self.diagnostics.error(problem.path, problem.line, problem.message)
            raise ContentError(self.diagnostics) from None
        for path, size, found in rendered:
            sizes[path] = size
            if found is not None:
                links.add_page(path, *pages[path], found)
        if root is not None:
            write_files(root, work.copy.items())
            sizes.update((path, (root / path).stat().st_size) for path in work.copy)
        else:
            sizes.update((path, source.stat().st_size) for path, source in work.copy.items())
        manifest = work.manifest(sizes)
        self.check_site_size(manifest)
        report_broken_links(links, environment, self.diagnostics)
        return sizes, manifest

    def record(self, model: Model, plan: Plan, inputs: Inputs, written: Written) -> BuildResult:
        """Keep what the next build reuses: the site's manifest and this build's summary."""
        with self.timer.stage("record"):
            manifest, site = written.manifest, written.work.site
            remember_pages(self.hub, self.out_dir, site, manifest)
            corpus = model.corpus
            # The whole site's files and bytes, not only this build's share of them.
            summary = Summary(
                site=site, papers=len(corpus.papers),
                pages=plan.pages,
                files=len(manifest), bytes=sum(size for _, size in manifest.values()),
                base_path=corpus.config.base_path, origin=corpus.config.origin)
            remember(self.hub, self.out_dir, inputs, summary, self.diagnostics)
        return self.result(summary, self.diagnostics, written=len(written.sizes), model=model)

    def result(self, summary: Summary, diagnostics: Diagnostics, *, unchanged: bool = False,
               written: int = 0, model: Model | None = None) -> BuildResult:
        return BuildResult(summary.papers, summary.pages, WriteStats(summary.files, summary.bytes),
                           self.timer.elapsed, diagnostics, self.timer.stages,
                           unchanged=unchanged, written=written, base_path=summary.base_path,
                           origin=summary.origin, model=model)

    def check_site_size(self, manifest: Manifest) -> None:
        """Fail before a site GitHub Pages would refuse goes into place, naming the papers
        whose pages cost most."""
        total = sum(size for _, size in manifest.values())
        if total <= MAX_SITE_BYTES:
            if total > LARGE_SITE_BYTES:
                self.diagnostics.warning(
                    self.hub.content, 1, f"the site is {human_bytes(total)}; GitHub Pages "
                    f"publishes sites of at most {human_bytes(MAX_SITE_BYTES)}", "large-site")
            return
        by_paper: Counter[str] = Counter()
        for path, (_, size) in manifest.items():
            paper_id = Urls.paper_of(path)
            if paper_id is not None:
                by_paper[paper_id] += size
        costliest = ", ".join(f"{paper_id} ({human_bytes(size)})"
                              for paper_id, size in by_paper.most_common(5))
        self.fail(f"the site would be {human_bytes(total)}, over GitHub Pages' limit of "
                  f"{human_bytes(MAX_SITE_BYTES)}; the papers whose pages cost most: "
                  f"{costliest}")

    def fail(self, message: str) -> NoReturn:
        self.diagnostics.error(self.hub.content, 1, message)
        raise ContentError(self.diagnostics) from None


@dataclass(frozen=True)
class Checked:
    papers: int
    pages: int  # rendered in memory
    bytes: int  # that the site would have
    seconds: float
    diagnostics: Diagnostics


def check(hub_dir: Path, options: BuildOptions = BuildOptions(cache=False),
          reporter: Reporter | None = None) -> Checked:
    """What `build` would refuse, found without writing anything: the model, the plan, and
    every page rendered in memory, with its links and the size of the whole site. Raises
    ContentError on the first stage that fails, like `build`.

    The search index is left out: Pagefind indexes what the model already holds, and fails
    only for want of its binary, which is no fault of the content.
    """
    hub = HubLayout(hub_dir)
    run = Build(hub, hub.site, replace(options, search=False), reporter or Reporter())
    try:
        with long_lived_objects():
            model = run.read_model()
            layout = layout_digest(hub, run.options.output_options())
            plan = run.plan(model, layout)
        with run.timer.stage("render"):
            sizes, _ = run.render(model, plan, Work.of(plan.files, plan.statics, layout, None),
                                  None)
    finally:
        gc.unfreeze()
    return Checked(len(model.corpus.papers), plan.pages, sum(sizes.values()),
                   run.timer.elapsed, run.diagnostics)


# -- the model, for `check`, the build and the preview ---------------------------------------


def load_corpus(hub_dir: Path, diagnostics: Diagnostics,
                options: BuildOptions = BuildOptions(cache=False)) -> Corpus:
    """Read and validate content/; problems go to `diagnostics`, the corpus is best effort.

    With `options.cache`, unchanged papers come from the hub's content cache, and this
    build's are kept in it.
    """
    hub = HubLayout(hub_dir)
    cache = ContentCache.open(hub) if options.cache else None
    raw = load_content(hub, diagnostics, cache.earlier() if cache else None)
    config = read_config(raw.hub, diagnostics)
    diagnostics.levels = config.warnings
    if options.base_url is not None:
        config = config.with_base_url(options.base_url)
    if options.repo_url is not None:
        config = config.with_repo_url(options.repo_url)
    validated = validate(raw, config, diagnostics, include_drafts=options.drafts,
                         reused=cache.papers(raw.unchanged) if cache else ())
    diagnostics.apply_levels(config.warnings)
    if cache is not None:
        cache.keep(raw, validated.clean)
        if not diagnostics.has_errors:
            cache.save()
    return validated.corpus


def load_model(hub_dir: Path, options: BuildOptions = BuildOptions()) -> Model:
    """The hub read and aggregated (papers from the content cache where they are unchanged);
    ContentError on content problems."""
    diagnostics = Diagnostics()
    with long_lived_objects():
        corpus = load_corpus(hub_dir, diagnostics, options)
        if diagnostics.has_errors:
            raise ContentError(diagnostics)
        return Model(corpus, aggregate(corpus))


def patch_model(
    model: Model, hub_dir: Path, changed: Iterable[Path], options: BuildOptions = BuildOptions()
) -> Model | None:
    """The model after these files changed, when they are files of known papers edited in
    place and read without error (what an author's save usually is): only those are read,
    and only the hubs showing them made again. None when the whole hub must be read again
    (a paper added or removed, a draft published, hub.yaml, a problem to report)."""
    hub = HubLayout(hub_dir)
    diagnostics = Diagnostics()
    documents = []
    for path in sorted(set(changed)):
        if path.parent == hub.papers and (path.name.startswith(".") or path.suffix != ".md"):
            continue  # what the loader skips: editors' swap and backup files
        if path.parent != hub.papers or path.stem not in model.corpus.known_ids:
            return None
        document = read_paper_file(path, hub, diagnostics)
        if document is None or diagnostics.has_errors:
            return None
        documents.append(document)
    revised = revalidate(model.corpus, documents, diagnostics, include_drafts=options.drafts)
    if revised is None:
        return None
    corpus, changed_ids = revised
    return Model(corpus, update(model.site, corpus, changed_ids))


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


def check_static_collisions(
    statics: dict[str, Path],
    generated: set[str],
    diagnostics: Diagnostics,
) -> None:
    clashes = sorted(path for path in statics if path in generated)
    for path in clashes:
        diagnostics.error(statics[path], 1, f"static file would overwrite the generated {path}")
    if clashes:
        raise ContentError(diagnostics)
