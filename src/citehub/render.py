"""The planned files into bytes: the Jinja environment (autoescaped, strict, the hub's
templates before the theme's), Markdown, and rendering on every core into the output."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import jinja2.bccache
from linkify_it import LinkifyIt  # type: ignore[import-untyped]
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from citehub.config import HubConfig
from citehub.diagnostics import Diagnostics, display_path
from citehub.hubfiles import HubLayout, WriteStats, walk_files, write_files
from citehub.linkcheck import PageLinks, extract
from citehub.model import PaperDate
from citehub.pages import PlannedFile
from citehub.tex import use_tex
from citehub.urls import Urls

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".json")
# Content links point at other people's sites: say so to crawlers, and cut window.opener.
EXTERNAL_REL = "nofollow ugc noopener"


class TemplateProblem(Exception):
    """A theme template failed; carries where, for a `path:line: error:` report."""

    def __init__(self, path: str, line: int, message: str) -> None:
        # All three in args, so the exception survives the trip back from a worker process.
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process (a preview rebuilds many times).

    In memory only: Jinja's file cache would load marshalled code from the hub's folder,
    which a pull request could plant. Jinja checks each template's source checksum, so an
    edited template is compiled again.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.compiled.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = MemoryBytecodeCache()


def make_environment(hub: HubLayout, config: HubConfig) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in hub.template_folders()]),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=["jinja2.ext.do"],
        bytecode_cache=COMPILED_TEMPLATES,
    )
    environment.globals["item_html"] = ItemCache(environment)
    environment.filters["markdown"] = render_markdown
    environment.filters["atom_date"] = atom_date
    environment.globals.update(
        site=types.SimpleNamespace(
            title=config.title, description=config.description, repo_url=config.repo_url,
            base_path=config.base_path,
        ),
        urls=Urls.of(config),
    )
    return environment


class ItemCache:
    """`item_html(item)`: a citation as the theme's `citation_item` macro renders it, rendered
    once per build however many lists show it (a hub's list, its role, polarity and year
    pages, the site-wide role page). Lists of citations are most of a large hub's pages."""

    def __init__(self, environment: jinja2.Environment) -> None:
        self.environment = environment
        # Keyed by identity: the plan shares one item object among the pages showing it, and
        # the entry keeps the item alive so its id cannot be reused within the build.
        self.rendered: dict[tuple[int, str], tuple[object, Markup]] = {}

    def __call__(self, item: object, heading: str = "h3") -> Markup:
        key = (id(item), heading)
        entry = self.rendered.get(key)
        if entry is None:
            macros = self.environment.get_template("macros.html").module
            entry = (item, Markup(macros.citation_item(item, heading)))  # type: ignore[attr-defined]
            self.rendered[key] = entry
        return entry[1]


# -- Markdown --------------------------------------------------------------------------------


SAFE_LINK = re.compile(r"^(?:https?://|mailto:|data:image/(?:gif|png|jpeg|webp);)")
LINK_NOISE = re.compile(r"[\x00-\x20\x7f]")


def is_safe_link(url: str) -> bool:
    """Links in abstracts may be web pages, mail addresses, or embedded images; nothing else.

    An allow-list, not markdown-it's deny-list: schemes that browsers or plugins run
    (javascript:, vbscript:, and whatever comes next) never reach a page. Whitespace and
    control characters are dropped first, as browsers do, so `java\tscript:` is caught.
    Relative links are refused too: an abstract has no neighbours on the hub to point at.
    """
    return SAFE_LINK.match(LINK_NOISE.sub("", url).lower()) is not None


def _make_markdown() -> MarkdownIt:
    # Raw HTML off: an abstract's <script> shows as text.
    markdown = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    markdown.linkify = QuickLinkify()
    markdown.validateLink = is_safe_link  # type: ignore[method-assign]
    markdown.enable(["table", "strikethrough", "linkify"])
    markdown.add_render_rule("link_open", _render_link_open)
    markdown.add_render_rule("heading_open", _render_heading)
    markdown.add_render_rule("heading_close", _render_heading)
    use_tex(markdown)
    return markdown


# What every bare link linkify finds has: a scheme's colon, an e-mail's @, a protocol-relative
# //, or a dot between two word characters (a domain, "example.org").
MAY_LINKIFY = re.compile(r"[:@]|//|\w\.\w")


class QuickLinkify(LinkifyIt):  # type: ignore[misc]
    """linkify-it, asked only about texts where a bare link can be. Its own tests run its
    large patterns case-insensitively over every text run of every abstract: a third of
    Markdown's time, nearly all of it on runs with no link."""

    def pretest(self, text: str) -> bool:
        return MAY_LINKIFY.search(text) is not None and bool(super().pretest(text))

    def test(self, text: str) -> bool:
        return MAY_LINKIFY.search(text) is not None and bool(super().test(text))


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    if not str(token.attrGet("href") or "").lower().startswith(("http", "mailto:")):
        token.attrs.pop("href", None)  # data: is for images only; such a link shows as text
    else:
        token.attrSet("rel", EXTERNAL_REL)
    return self.renderToken(tokens, index, options, env)


def _render_heading(
    self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    # The page owns h1 and h2; an abstract's "# Heading" becomes h3 and below.
    token = tokens[index]
    level = min(6, int(token.tag[1]) + 2)
    token.tag = f"h{level}"
    return self.renderToken(tokens, index, options, env)


_MARKDOWN = _make_markdown()


def render_markdown(text: str) -> Markup:
    return Markup(_MARKDOWN.render(text))


def atom_date(date: str) -> str:
    """An RFC 3339 timestamp for a YYYY, YYYY-MM or YYYY-MM-DD date (a filter for hub
    templates: the theme's feeds get theirs made)."""
    return PaperDate(*map(int, date.split("-"))).timestamp


# -- rendering the plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    path: str
    data: bytes


def render_files(files: Sequence[PlannedFile], environment: jinja2.Environment) -> Iterator[Output]:
    templates: dict[str, jinja2.Template] = {}
    for file in files:
        if file.data is not None:
            yield Output(file.path, file.data)
            continue
        if file.produce is not None:
            yield Output(file.path, file.produce())
            continue
        assert file.template is not None
        template = templates.get(file.template)
        if template is None:
            template = load_template(environment, file.template)
            templates[file.template] = template
        context = file.context if file.more is None else {**file.context, **file.more()}
        try:
            yield Output(file.path, render_template(template, context).encode())
        except TemplateProblem as problem:
            # Which page failed, since a template can fail on one paper's content alone.
            raise TemplateProblem(problem.path, problem.line,
                                  f"{problem.message} (rendering {file.url})") from None


# -- rendering the whole site on every core ----------------------------------------------------

# Below this many files, starting worker processes costs more than it saves. The environment
# can lower it (tests use 0 to exercise the workers on small hubs).
PARALLEL_MIN_FILES = int(os.environ.get("CITEHUB_PARALLEL_MIN_FILES", "2000"))
# Contiguous runs of the plan: a hub page and its filter pages show the same citation items,
# so keeping them in one worker keeps its item cache useful; several runs per worker balance.
CHUNKS_PER_WORKER = 8

# a written file, its size, and its links if it is a page
Rendered = tuple[str, int, PageLinks | None]
_job: tuple[Path | None, Sequence[PlannedFile], jinja2.Environment, bool] | None = None


def _worker_start() -> None:
    # Ctrl-C reaches the whole process group: let the main process alone handle it (it stops
    # the workers and removes the half-written folder) instead of every worker printing a
    # traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _render_chunk(bounds: tuple[int, int]) -> tuple[WriteStats, list[Rendered]]:
    """Render and write plan[start:stop] into the output folder (in a worker, or in-process);
    with no folder, only render (a check)."""
    assert _job is not None
    root, planned, environment, scan_links = _job
    written: list[Rendered] = []

    def files() -> Iterator[tuple[str, bytes | Path]]:
        for output in render_files(planned[bounds[0]:bounds[1]], environment):
            found = (extract(output.data) if scan_links and output.path.endswith(".html")
                     else None)
            written.append((output.path, len(output.data), found))
            yield output.path, output.data

    if root is None:
        for _ in files():
            pass
        return WriteStats(len(written), sum(size for _, size, _ in written)), written
    return write_files(root, files()), written


def render_site(
    root: Path | None,
    planned: Sequence[PlannedFile],
    environment: jinja2.Environment,
    workers: int,
    progress: Callable[[Iterator[tuple[WriteStats, list[Rendered]]], int],
                       Iterator[tuple[WriteStats, list[Rendered]]]],
    scan_links: bool = True,
) -> tuple[WriteStats, list[Rendered]]:
    """Render every planned file into `root` (None: in memory, writing nothing), on
    `workers` processes when it is worth it; with `scan_links`, read each page's links.

    Workers are forked: they share the plan and the Jinja environment with this process
    instead of receiving copies, and send back only what the link check needs.
    """
    global _job
    parallel = workers > 1 and len(planned) >= PARALLEL_MIN_FILES
    count = workers * CHUNKS_PER_WORKER if parallel else 1
    size = -(-len(planned) // count) or 1
    chunks = [(start, min(start + size, len(planned))) for start in range(0, len(planned), size)]
    files, total = 0, 0
    rendered: list[Rendered] = []
    _job = (root, planned, environment, scan_links)
    pool = multiprocessing.get_context("fork").Pool(workers, _worker_start) if parallel else None
    try:
        results: Iterator[tuple[WriteStats, list[Rendered]]] = (
            pool.imap_unordered(_render_chunk, chunks) if pool else map(_render_chunk, chunks))
        for stats, written in progress(results, len(chunks)):
            files, total = files + stats.files, total + stats.bytes
            rendered.extend(written)
        if pool:
            # Workers that finished end by themselves. Pool.terminate() (what `with Pool`
            # does) can kill one holding the task queue's lock, and then waits forever for
            # another stuck on it: only a failed render stops them that way.
            pool.close()
    except BaseException:
        if pool:
            pool.terminate()
        raise
    finally:
        if pool:
            pool.join()
        _job = None
    return WriteStats(files, total), rendered


def load_template(environment: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return environment.get_template(name)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(_template_path(error.filename, name), error.lineno,
                              f"template syntax error: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise TemplateProblem(f"templates/{name}", 1,
                              f"template not found: {error.name}") from None


def render_template(template: jinja2.Template, context: dict[str, Any]) -> str:
    try:
        return template.render(context)
    except jinja2.TemplateSyntaxError as error:  # an {% include %} that does not parse
        raise TemplateProblem(_template_path(error.filename, error.name or "?"), error.lineno,
                              f"template syntax error: {error.message}") from None
    except jinja2.TemplateError as error:
        path, line = _failing_template_line(error, template)
        raise TemplateProblem(path, line, f"template error: {error}") from None


def locate_in_templates(
    environment: jinja2.Environment, template: str | None, text: str
) -> tuple[str, int]:
    """Where a rendered piece of text was most likely written: the first template (the page's
    own first, then the others) whose source has it literally; else the page's template."""
    names = [template] if template else []
    names += [name for name in environment.list_templates() if name != template]
    loader = environment.loader
    assert loader is not None
    for name in names:
        source, filename, _ = loader.get_source(environment, name)
        index = source.find(text)
        if index >= 0:
            return _template_path(filename, name), source.count("\n", 0, index) + 1
    if template is None:
        return "templates", 1
    _, filename, _ = loader.get_source(environment, template)
    return _template_path(filename, template), 1


def _failing_template_line(error: BaseException, template: jinja2.Template) -> tuple[str, int]:
    # Jinja rewrites tracebacks so template frames carry the template's file and line.
    location = (template.filename or template.name or "?", 1)
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIXES):
            location = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return _template_path(location[0], location[0]), location[1]


def _template_path(filename: str | None, fallback: str) -> str:
    return display_path(Path(filename)) if filename else fallback


# -- static files ----------------------------------------------------------------------------


def hub_written_templates(hub: HubLayout) -> list[str]:
    """The hub's templates that are not the theme's own (a copy of one, as in this
    repository, is the theme's): their links are checked in the rendered pages.

    The theme's pages link only through `Urls` to files the plan holds, and Markdown makes
    no link inside the site (`is_safe_link`), so with the theme's templates alone a build
    does not read its pages back for links; the test suite reads every page it builds.
    """
    theme = hub.template_sources()[0][0]
    written = []
    # Links out of the hub are reported by check_templates; here they are only skipped.
    for source in walk_files(hub.templates, hub.root, Diagnostics()):
        name = source.relative_to(hub.templates).as_posix()
        theirs = theme / name
        if not theirs.is_file() or theirs.read_bytes() != source.read_bytes():
            written.append(name)
    return sorted(written)


def check_templates(hub: HubLayout, diagnostics: Diagnostics) -> None:
    """Report template files that are links out of the hub, before Jinja follows them."""
    for folder, root in hub.template_sources():
        for _ in walk_files(folder, root, diagnostics):
            pass


def static_files(hub: HubLayout, diagnostics: Diagnostics) -> dict[PurePosixPath, Path]:
    """Files to copy as they are: the theme's static/, overridden file by file by the hub's."""
    found: dict[PurePosixPath, Path] = {}
    for folder, root in hub.static_sources():
        for source in walk_files(folder, root, diagnostics):
            found[PurePosixPath(source.relative_to(folder).as_posix())] = source
    return dict(sorted(found.items()))
