"""The `citehub` command: thin click commands that parse options and call the pipeline."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path

import click

from citehub.build import BuildOptions
from citehub.build import build as run_build
from citehub.build import check as run_check
from citehub.config import valid_base_url, valid_repo_url
from citehub.diagnostics import ContentError, Diagnostics, display_path
from citehub.hubfiles import HubLayout, OutputError
from citehub.report import ConsoleReporter, human_bytes
from citehub.scaffold import (
    ScaffoldError,
    citehub_requirement,
    init_hub,
    new_paper,
    valid_branch,
)

HUB_DIR = click.Path(file_okay=False, path_type=Path)


def check_base_url(
    _context: click.Context, _parameter: click.Parameter, value: str | None
) -> str | None:
    if value is not None and not valid_base_url(value):
        raise click.BadParameter("expected an http(s) URL or a path starting with '/'")
    return value


def check_repo_url(
    _context: click.Context, _parameter: click.Parameter, value: str | None
) -> str | None:
    if value is not None and not valid_repo_url(value):
        raise click.BadParameter("expected an http(s) URL such as https://github.com/you/hub")
    return value.rstrip("/") if value else value


def print_diagnostics(diagnostics: Diagnostics, verbose: bool = False) -> None:
    for line in diagnostics.formatted(verbose=verbose):
        click.echo(line, err=True)


VERBOSE = click.option("-v", "--verbose", is_flag=True,
                       help="Print every warning (else the first 5 of each kind, then a count).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="citehub")
def main() -> None:
    """citehub: a static site generator for paper hub pages."""


@main.command()
@click.argument("hub_dir", default=".", type=HUB_DIR)
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path),
              help="Output folder (default: DIR/site).")
@click.option("--base-url", callback=check_base_url,
              help="Override hub.yaml's base_url, e.g. for a preview deploy.")
@click.option("--repo-url", callback=check_repo_url,
              help="Override hub.yaml's repo_url (the repository that edit links open), e.g. "
                   "from the deploy workflow.")
@click.option("--drafts", is_flag=True, help="Include papers marked draft: true.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Build everything anew, ignoring what earlier builds left in .citehub-cache/.")
@click.option("--no-search", "no_search", is_flag=True,
              help="Skip the search index (the /search/ page then says there is none).")
@click.option("--timings", is_flag=True, help="Say how long each stage of the build took.")
@VERBOSE
def build(
    hub_dir: Path, out_dir: Path | None, base_url: str | None, repo_url: str | None,
    drafts: bool, no_cache: bool, no_search: bool, timings: bool, verbose: bool,
) -> None:
    """Build the hub in DIR (default: .) into a static site."""
    out_dir = out_dir or HubLayout(hub_dir).site
    # A stopped CI job or `kill` sends SIGTERM: unwind like Ctrl-C, so the half-written
    # folder is removed and the previous site stays.
    signal.signal(signal.SIGTERM, _stop)
    try:
        options = BuildOptions(drafts=drafts, base_url=base_url, repo_url=repo_url,
                               cache=not no_cache, search=not no_search)
        result = run_build(hub_dir, out_dir, options, ConsoleReporter())
    except ContentError as error:
        print_diagnostics(error.diagnostics, verbose)
        click.echo(f"build failed: {error.diagnostics.summary(verbose)}; "
                   f"{out_dir} was left as it was", err=True)
        sys.exit(1)
    except OutputError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except OSError as error:
        click.echo(f"error: cannot write {out_dir}: {error.strerror or error}", err=True)
        sys.exit(1)
    print_diagnostics(result.diagnostics, verbose)
    done = "nothing changed: kept" if result.unchanged else "built"
    where = "in" if result.unchanged else "into"
    updated = ""
    if not result.unchanged and result.written < result.stats.files:
        updated = f" ({result.written} written, the rest unchanged)"
    click.echo(
        f"{done} {result.papers} papers {where} {out_dir}: {result.pages} pages, "
        f"{result.stats.files} files{updated}, {human_bytes(result.stats.bytes)} "
        f"in {result.seconds:.2f} s"
    )
    if not result.origin:
        click.echo(NO_BASE_URL, err=True)
    if timings:
        for stage, seconds in result.stage_seconds.items():
            click.echo(f"  {stage:<14}{seconds:8.3f} s")


# Said once by every build whose base_url is a path: what it left out, and how to have it.
NO_BASE_URL = ("note: base_url is a path, not a full URL, so the site has no sitemap, no Atom "
               "feeds and no canonical URLs (all need absolute URLs); set base_url: "
               "https://<user>.github.io/<repository>/ in content/hub.yaml, or build with "
               "--base-url (the deploy workflow does)")


def check_branch(_context: click.Context, _parameter: click.Parameter, value: str) -> str:
    if not valid_branch(value):
        raise click.BadParameter("expected a git branch name such as main")
    return value


def _stop(signal_number: int, _frame: object) -> None:
    raise SystemExit(128 + signal_number)


@main.command()
@click.argument("hub_dir", default=".", type=HUB_DIR)
@click.option("-p", "--port", type=click.IntRange(1, 65535), default=None,
              help="Port to serve on (default 8000, or the next free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the preview.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path),
              help="Folder for the preview (default: DIR/.citehub-cache/preview, never site/).")
@click.option("--drafts", is_flag=True, help="Include papers marked draft: true.")
def serve(hub_dir: Path, port: int | None, host: str, open_browser: bool,
          out_dir: Path | None, drafts: bool) -> None:
    """Build DIR, serve it at its base path, rebuild on change and reload the browser."""
    from citehub import serve as preview  # tornado and watchfiles only when serving

    layout = HubLayout(hub_dir)
    if out_dir is None and layout.cache.is_symlink():
        # The preview is built below it: a committed link would have it written elsewhere.
        click.echo(f"error: {display_path(layout.cache)} is a symbolic link; remove it (the "
                   "preview is built there) or choose a folder with -o", err=True)
        sys.exit(1)
    out_dir = out_dir or layout.preview
    try:
        preview.run(hub_dir, out_dir, host=host, port=port or 8000, port_given=port is not None,
                    open_browser=open_browser, options=BuildOptions(drafts=drafts),
                    announce=lambda line: click.echo(line))
    except preview.NothingToServe:
        sys.exit(1)
    except preview.BuildProcessGone as error:
        click.echo(f"error: the build process stopped unexpectedly (exit code {error.args[0]}); "
                   "the preview cannot rebuild", err=True)
        sys.exit(1)
    except preview.PortInUse as error:
        click.echo(f"error: port {error.args[0]} is in use (another preview?); choose "
                   "another with --port", err=True)
        sys.exit(2)
    except OSError as error:
        click.echo(f"error: cannot serve on {host}: {error.strerror or error}", err=True)
        sys.exit(2)


@main.command()
@click.argument("hub_dir", default=".", type=HUB_DIR)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--drafts", is_flag=True, help="Check papers marked draft: true as published.")
@VERBOSE
def check(hub_dir: Path, strict: bool, drafts: bool, verbose: bool) -> None:
    """Validate the hub in DIR (default: .) without writing anything."""
    signal.signal(signal.SIGTERM, _stop)
    try:
        checked = run_check(hub_dir, BuildOptions(drafts=drafts, cache=False))
        diagnostics = checked.diagnostics
    except ContentError as error:
        diagnostics = error.diagnostics
    if strict:
        diagnostics = diagnostics.strict()
    print_diagnostics(diagnostics, verbose)
    if diagnostics.has_errors:
        click.echo(f"check failed: {diagnostics.summary(verbose)}", err=True)
        sys.exit(1)
    click.echo(f"checked {checked.papers} papers and their {checked.pages} pages "
               f"({human_bytes(checked.bytes)} rendered, nothing written): "
               f"{diagnostics.summary(verbose)}")


@main.command()
@click.argument("paper_id", metavar="ID")
@click.option("--title", required=True, help="The paper's title.")
@click.option("--dir", "hub_dir", default=".", type=HUB_DIR, help="The hub (default: .).")
def new(paper_id: str, title: str, hub_dir: Path) -> None:
    """Write content/papers/ID.md for a new paper."""
    try:
        path = new_paper(hub_dir, paper_id, title)
    except (ScaffoldError, OSError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"wrote {display_path(path)}: fill in its front matter and abstract")


@main.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="My paper hub", show_default=True, help="The hub's title.")
@click.option("--repo-url", callback=check_repo_url,
              help="The GitHub repository, e.g. https://github.com/you/hub (edit links).")
@click.option("--branch", default="main", show_default=True, callback=check_branch,
              help="The branch the hub is published from.")
@click.option("--citehub-source", metavar="GIT_URL[@REF]",
              help="Where the hub's workflows install citehub from: a git repository, pinned "
                   "to the commit REF names (default: where this citehub came from).")
def init(target: Path, title: str, repo_url: str | None, branch: str,
         citehub_source: str | None) -> None:
    """Create a new hub repository in TARGET: content, sample papers, README, workflows."""
    try:
        requirement = citehub_requirement(citehub_source)
        written = init_hub(target, title, repo_url, branch=branch, requirement=requirement)
    except (ScaffoldError, OSError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"created a hub in {display_path(target)} ({len(written)} files); next:\n"
               f"  cd {display_path(target)} && citehub build && citehub check --strict")


@main.command()
@click.argument("base")
@click.argument("head")
@click.option("--dir", "hub_dir", default=".", type=HUB_DIR,
              help="The hub whose git revisions BASE and HEAD name (default: .).")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]),
              default="text", show_default=True, help="Markdown for a job summary.")
def diff(base: str, head: str, hub_dir: Path, output_format: str) -> None:
    """Say what changes from BASE to HEAD: two hub folders, or two git revisions of DIR."""
    import tempfile

    from citehub.hubdiff import compare, read_side, report
    from citehub.hubfiles import RevisionError

    with tempfile.TemporaryDirectory(prefix="citehub-diff-") as temporary:
        try:
            sides = [read_side(value, hub_dir, Path(temporary) / name)
                     for name, value in (("base", base), ("head", head))]
        except RevisionError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
    click.echo(report(compare(*sides), markdown=output_format == "markdown"), nl=False)


IMPORT_FORMATS = ("s2", "openalex", "bibtex", "csl-json")


@main.command(name="import")
@click.argument("format_name", metavar="FORMAT", type=click.Choice(IMPORT_FORMATS))
@click.argument("source", metavar="FILE", required=False,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dir", "hub_dir", default=".", type=HUB_DIR, help="The hub (default: .).")
@click.option("--force", is_flag=True,
              help="Merge the import into existing paper files (their front matter is "
                   "rewritten); without it they are left alone.")
@click.option("--cited", metavar="ID",
              help="The hub paper that FILE's papers cite (for a list of citing papers).")
@click.option("--citing", metavar="ID",
              help="The hub paper that cites FILE's papers (for a list of references).")
@click.option("--fetch", "fetch_id", metavar="ID",
              help="Get the paper and its citations from the API (s2: an S2 id, DOI:…, "
                   "ARXIV:…; openalex: a W… id or DOI) and save the responses as FILE.")
@VERBOSE
def import_command(format_name: str, source: Path | None, hub_dir: Path, force: bool,
                   cited: str | None, citing: str | None, fetch_id: str | None,
                   verbose: bool) -> None:
    """Turn FILE (FORMAT: s2, openalex, bibtex, csl-json) into paper files of the hub."""
    from citehub.importers import SourceError, read_bibliography
    from citehub.importers.hub import import_into

    if source is None:
        raise click.UsageError("FILE is required (with --fetch, the responses are saved there)")
    if fetch_id is not None:
        fetch_into(format_name, fetch_id, source, force)
    diagnostics = Diagnostics()
    try:
        bibliography = read_bibliography(format_name, source, diagnostics, cited=cited,
                                         citing=citing)
    except SourceError:
        bibliography = None
    outcome = None
    if bibliography is not None and not diagnostics.has_errors:
        try:
            outcome = import_into(hub_dir, bibliography, source, diagnostics, force=force)
        except OSError as error:
            click.echo(f"error: cannot write into {display_path(hub_dir)}: "
                       f"{error.strerror or error}", err=True)
            sys.exit(1)
    print_diagnostics(diagnostics, verbose)
    if outcome is None or diagnostics.has_errors:
        click.echo(f"nothing imported: {diagnostics.summary(verbose)}", err=True)
        sys.exit(1)
    for line in outcome.skipped:
        click.echo(f"skipped {line}", err=True)
    click.echo(f"imported {display_path(source)} into {display_path(hub_dir)}: "
               f"{outcome.summary()}")


def fetch_into(format_name: str, fetch_id: str, source: Path, force: bool) -> None:
    from citehub.importers.fetch import FetchError, fetch, save

    if format_name not in ("s2", "openalex"):
        raise click.UsageError("--fetch works with s2 and openalex; export the others to a file")
    if source.exists() and not force:
        click.echo(f"error: {display_path(source)} exists; choose another FILE for the "
                   "responses (or --force to replace it)", err=True)
        sys.exit(1)
    api = "Semantic Scholar" if format_name == "s2" else "OpenAlex"
    click.echo(f"fetching {fetch_id} from {api} (politely: a second or so per request)",
               err=True)
    try:
        data = fetch(format_name, fetch_id)
    except FetchError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    save(data, source)


def run() -> None:
    """The `citehub` command: `main`, then an exit that leaves the heap as it is.

    A build of ten thousand papers holds millions of objects; letting the interpreter free
    them one by one took a second after the work was done. Every file is closed by then, and
    the output flushed here; what runs main in-process (the tests, a script) is unaffected.
    """
    try:
        main()
        code = 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:  # sys.exit("message"): what Python itself would print
            print(stop.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`citehub … | head`)
            stream.flush()
    os._exit(code)
