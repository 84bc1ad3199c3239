"""Is a built site inert? Every file read the way a browser, a feed reader or a client reads it.

`assert_inert(site)` is the one check the XSS corpus (test_xss.py) and the property-based
tests (test_fuzz.py) share. It knows nothing about which payload went where: it looks for
anything in the output that could run or leave the site unasked, whatever the content said.

HTML is parsed with html5lib, which implements the WHATWG parsing algorithm, so a page is seen
as a browser builds it (an `<svg>` in an abstract becomes a real SVG element, entities in
attributes are decoded, `</title>` ends the title) rather than as a regular expression sees
its text. The default theme has no inline script or style and no event handler; its own
script is a file of the site, its only form is the citing-papers explorer (which submits
nowhere), and its only foreign elements are its SVG charts. Those are allowed by name below
(THEME_FORMS, THEME_CHARTS): a theme that adds another kind must add it there.

Also checked: the Content-Security-Policy meta of every page, rel="nofollow ugc noopener" on
every link that leaves the site, that feed.xml and sitemap.xml are well-formed XML that feed
readers show as text, that every .json file is strict JSON, and that no file of an active
type (.js, .svg, …) is there that the theme did not ship.
"""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import html5lib

import citehub
from citehub.cli import NO_BASE_URL

SVG = "http://www.w3.org/2000/svg"
MATHML = "http://www.w3.org/1998/Math/MathML"
ATOM = "http://www.w3.org/2005/Atom"

# Files the default theme ships; the only ones of an active type a site may hold.
THEME_STATIC = Path(citehub.__file__).parent / "theme" / "static"

# Elements that load, embed or submit something, or restyle the page: none may appear.
FORBIDDEN_ELEMENTS = frozenset({
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "portal",
    "fencedframe", "template", "keygen", "isindex", "bgsound",
})
# The theme's own markup of kinds content must never add. The explorer is a form that
# submits nowhere (no action; CSP form-action 'none'), its controls only inside it; charts
# are SVG of a few shapes, drawn at build time from numbers.
THEME_FORMS = frozenset({"explorer"})
SEARCH_FORM = "site-search"  # the search box in every page's header
THEME_BUTTONS = frozenset({"cite-copy"})  # outside any form, type=button
FORM_CONTROLS = frozenset({"input", "select", "option", "optgroup", "button", "textarea",
                           "datalist", "output"})
FORM_SUBMISSION_ATTRIBUTES = frozenset({"action", "method", "target", "enctype",
                                        "formaction", "formmethod", "formtarget"})
SAFE_INPUT_TYPES = frozenset({"checkbox", "radio", "search", "text", "number", "range"})
SAFE_BUTTON_TYPES = frozenset({"reset", "button"})
THEME_CHARTS = frozenset({"bar", "histogram", "stack"})
CHART_ELEMENTS = frozenset({"rect", "line", "text", "title", "desc", "g"})
# MathML's presentation elements (what TeX in an abstract becomes), and their layout
# attributes: nothing that links, styles, or runs.
MATH_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "merror",
})
MATH_ATTRIBUTES = frozenset({
    "xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
    "accent", "accentunder", "columnalign", "rowspacing", "columnspacing", "displaystyle",
    "scriptlevel", "width", "height", "depth", "linethickness", "notation", "minsize",
    "maxsize", "movablelimits", "largeop", "symmetric", "form", "columnlines", "rowlines",
    "frame", "rowalign",
})
# Attributes whose value is a URL the browser may load or navigate to.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "poster", "data", "background", "cite", "longdesc",
    "lowsrc", "dynsrc", "codebase", "classid", "archive", "usemap", "manifest", "icon",
    "profile",
})
# Attributes holding several URLs.
URL_LIST_ATTRIBUTES = frozenset({"srcset", "imagesrcset", "ping"})
# The theme's data attributes that its script turns into links or fetches: site URLs only.
DATA_URL_ATTRIBUTES = frozenset({"data-url", "data-json", "data-papers", "data-href",
                                 "data-src"})
# Schemes a link may use; anything else (javascript:, vbscript:, data:, file:, ms-msdt: and
# whatever a browser or plugin registers next) is refused. data:image/… only on <img>.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
THEME_LINK_RELS = frozenset({"stylesheet", "icon", "alternate", "canonical"})
CONTENT_REL = frozenset({"nofollow", "ugc", "noopener"})
# CSP sources that would let an injected script run.
UNSAFE_SCRIPT_SOURCES = frozenset({
    "'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "*", "data:",
    "http:", "https:", "blob:", "filesystem:",
})
# Suffixes a browser runs or renders actively; only theme files may have them.
# The search bundle's scripts, as the Pagefind binary writes them (no content reaches them).
PAGEFIND_SCRIPTS = frozenset({"pagefind/pagefind.js", "pagefind/pagefind-worker.js"})
ACTIVE_SUFFIXES = frozenset({
    ".js", ".mjs", ".svg", ".svgz", ".htm", ".xhtml", ".shtml", ".xht", ".swf", ".xsl",
    ".xslt", ".wasm", ".php", ".cgi",
})
# Browsers drop these anywhere in a URL (tab, newline) or at its ends (C0 controls, space).
URL_NOISE = re.compile(r"[\x00-\x20\x7f]")
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# XML 1.0 allows no C0 control but tab, newline and carriage return, and no U+FFFE/U+FFFF.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Report:
    """What was checked, and every problem found (as `path: message`)."""

    site: Path
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    xml_files: int = 0
    json_files: int = 0
    csv_files: int = 0
    bib_files: int = 0
    _files_of: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def add(self, path: Path, message: str) -> None:
        self.problems.append(f"{path.relative_to(self.site).as_posix()}: {message}")
        self._files_of.setdefault(message, []).append(path.relative_to(self.site).as_posix())

    def summary(self, limit: int = 30) -> str:
        """The problems, each told once with the files it is in (one page template, many
        pages: the same problem is usually on all of them)."""
        lines = [f"{len(self.problems)} problem(s) in {self.site}:"]
        for message, files in list(self._files_of.items())[:limit]:
            where = files[0] if len(files) == 1 else f"{files[0]} and {len(files) - 1} more"
            lines.append(f"  {where}: {message}")
        if len(self._files_of) > limit:
            lines.append(f"  … and {len(self._files_of) - limit} more kinds of problem")
        return "\n".join(lines)


def assert_inert(
    site: Path,
    *,
    base_url: str = "/",
    trusted_urls: Collection[str] = (),
    allow_parse_errors: bool = False,
) -> Report:
    """Fail with every problem found when anything in `site` could run or leave the site.

    `base_url` is the hub's base_url (its path prefixes every internal link, its origin makes
    absolute links internal). `trusted_urls` are off-site places the hub's owner chose in
    hub.yaml (repo_url): links to them or below them ("Edit this paper") need no
    `rel="nofollow ugc"`. Returns what was checked, so a caller can make sure the check was
    not vacuous.
    """
    report = inert_report(site, base_url=base_url, trusted_urls=trusted_urls,
                          allow_parse_errors=allow_parse_errors)
    assert report.pages > 0, f"no HTML page in {site}"
    if report.problems:
        raise AssertionError(report.summary())
    return report


def inert_report(
    site: Path,
    *,
    base_url: str = "/",
    trusted_urls: Collection[str] = (),
    allow_parse_errors: bool = False,
) -> Report:
    report = Report(site)
    context = SiteContext(base_url, frozenset(trusted_urls), allow_parse_errors)
    theme_files = {path.relative_to(THEME_STATIC).as_posix()
                   for path in THEME_STATIC.rglob("*") if path.is_file()}
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site).as_posix()
        if path.is_symlink():
            report.add(path, "is a symbolic link")
            continue
        if not path.is_file():
            continue
        if path.suffix.lower() in ACTIVE_SUFFIXES and relative not in theme_files and (
                relative not in PAGEFIND_SCRIPTS):
            report.add(path, f"an active file type ({path.suffix}) that the theme did not ship")
        if path.suffix == ".html":
            report.pages += 1
            check_html_file(path, report, context)
        elif path.suffix == ".xml":
            report.xml_files += 1
            check_xml_file(path, report, context)
        elif path.suffix == ".json":
            report.json_files += 1
            check_json_file(path, report)
        elif path.suffix == ".csv":
            report.csv_files += 1
            check_csv_file(path, report)
        elif path.suffix == ".bib":
            report.bib_files += 1
            check_bib_file(path, report)
    return report


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_csv_file(path: Path, report: Report) -> None:
    """A spreadsheet opening the file runs no formula (CSV injection)."""
    with path.open(newline="", encoding="utf-8") as opened:
        for row in csv.reader(opened):
            for cell in row:
                if cell.startswith(FORMULA_START):
                    report.add(path, f"a cell a spreadsheet would run: {cell[:60]!r}")


def check_bib_file(path: Path, report: Report) -> None:
    """One BibTeX entry, which a reference manager reads as exactly one entry."""
    from bibtexparser.entrypoint import parse_string

    library = parse_string(path.read_text(encoding="utf-8"))
    if len(library.entries) != 1 or library.failed_blocks or len(library.blocks) != 1:
        report.add(path, f"not exactly one BibTeX entry: {len(library.entries)} entries, "
                         f"{len(library.failed_blocks)} failed, {len(library.blocks)} blocks")


# -- HTML ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteContext:
    base_url: str
    trusted_urls: frozenset[str]
    allow_parse_errors: bool

    @property
    def base_path(self) -> str:
        path = "/" + (urlsplit(self.base_url).path or "/").strip("/") + "/"
        return "/" if path == "//" else path

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def parse_html(text: str) -> tuple[ElementTree.Element, list[tuple[tuple[int, int], str]]]:
    """The document as a browser builds it, and html5lib's parse errors (position, code)."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"),
                                 namespaceHTMLElements=False)
    root = parser.parse(text)
    return root, [(position, code) for position, code, _ in parser.errors]


def check_html_file(path: Path, report: Report, context: SiteContext) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        report.add(path, f"not UTF-8: {error}")
        return
    root, errors = parse_html(text)
    if errors and not context.allow_parse_errors:
        shown = ", ".join(f"{code} at {line}:{col}" for (line, col), code in errors[:5])
        report.add(path, f"{len(errors)} HTML parse error(s): {shown}")
    check_csp(path, root, report)
    forms = 0
    for element, place in walk(root):
        check_element(path, element, place, report, context)
        forms += element is place.form and SEARCH_FORM not in (element.get("class") or "")
    if forms > 1:
        report.add(path, f"{forms} forms on one page; the theme has one explorer at most")


@dataclass(frozen=True)
class Place:
    """Where an element sits: the outermost <svg>/<math> and <form> around it, if any."""

    foreign: ElementTree.Element | None = None
    form: ElementTree.Element | None = None


def walk(root: ElementTree.Element) -> Iterator[tuple[ElementTree.Element, Place]]:
    """Every element (comments left out: they are inert), with the place it sits in."""
    stack: list[tuple[ElementTree.Element, Place]] = [(root, Place())]
    while stack:
        element, place = stack.pop()
        if not isinstance(element.tag, str):
            continue
        if place.foreign is None and namespace(element.tag) in (SVG, MATHML):
            place = Place(element, place.form)
        elif place.form is None and place.foreign is None and local(element.tag) == "form":
            place = Place(None, element)
        yield element, place
        stack.extend((child, place) for child in reversed(list(element)))


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def local(name: str) -> str:
    """`{ns}href` and `xlink:href` alike → `href`, lower case."""
    name = name.rsplit("}", 1)[-1]
    return name.rsplit(":", 1)[-1].lower()


def describe(element: ElementTree.Element) -> str:
    attributes = " ".join(f'{local(name)}="{value[:60]}"' for name, value in element.items())
    return f"<{local(element.tag)}{' ' if attributes else ''}{attributes}>"


def check_element(
    path: Path,
    element: ElementTree.Element,
    place: Place,
    report: Report,
    context: SiteContext,
) -> None:
    name = local(element.tag)
    if place.foreign is not None:
        check_foreign(path, element, place.foreign, report)
    elif name in FORBIDDEN_ELEMENTS:
        report.add(path, f"forbidden element {describe(element)}")
    elif name == "form" or name in FORM_CONTROLS:
        check_form_part(path, element, place, report, context)
    elif name == "script":
        check_script(path, element, report, context)
    elif name == "link":
        check_link_element(path, element, report, context)
    elif name == "meta":
        equiv = (element.get("http-equiv") or "").strip().lower()
        if equiv and equiv != "content-security-policy":
            report.add(path, f"<meta http-equiv> other than the CSP: {describe(element)}")
    for attribute, value in element.items():
        check_attribute(path, element, local(attribute), value, report)
        if local(attribute) in DATA_URL_ATTRIBUTES and not is_internal(value, context):
            report.add(path, f"{local(attribute)} is not a URL of the site: {describe(element)}")
    if name == "a" and element.get("href") is not None:
        check_anchor(path, element, report, context)


def check_search_form_part(path: Path, element: ElementTree.Element,
                           form: ElementTree.Element, report: Report,
                           context: SiteContext) -> None:
    """The theme's search box: a GET to the site's own /search/ page, a text and a button."""
    name = local(element.tag)
    if name == "form":
        action = element.get("action") or ""
        method = (element.get("method") or "").strip().lower()
        others = {local(name) for name in element.attrib} & (FORM_SUBMISSION_ATTRIBUTES
                                                             - {"action", "method"})
        if action != context.base_path + "search/" or method != "get" or others:
            report.add(path, f"search form that goes elsewhere: {describe(element)}")
        return
    kind = (element.get("type") or "").strip().lower()
    submits = {local(name) for name in element.attrib} & FORM_SUBMISSION_ATTRIBUTES
    if submits or not ((name == "input" and kind == "search")
                       or (name == "button" and kind == "submit")):
        report.add(path, f"unexpected part of the search form: {describe(element)}")


def check_form_part(
    path: Path, element: ElementTree.Element, place: Place, report: Report,
    context: SiteContext,
) -> None:
    """The theme's explorer and its controls, and its Copy BibTeX button; no other form, and
    nothing that submits."""
    name = local(element.tag)
    form = place.form
    classes = set((element.get("class") or "").split())
    if form is None and name == "button" and THEME_BUTTONS & classes:
        if (element.get("type") or "").strip().lower() != "button" or (
                FORM_SUBMISSION_ATTRIBUTES & {local(name) for name in element.attrib}):
            report.add(path, f"theme button that could submit: {describe(element)}")
        return
    if form is not None and SEARCH_FORM in set((form.get("class") or "").split()):
        check_search_form_part(path, element, form, report, context)
        return
    if form is None or not THEME_FORMS & set((form.get("class") or "").split()):
        report.add(path, f"form or form control outside the theme's explorer: "
                         f"{describe(element)}")
        return
    submits = sorted(FORM_SUBMISSION_ATTRIBUTES & {local(name) for name in element.attrib})
    if submits:
        report.add(path, f"form part that submits ({', '.join(submits)}): {describe(element)}")
    kind = (element.get("type") or "").strip().lower()
    if name == "input" and kind not in SAFE_INPUT_TYPES:
        report.add(path, f"input of type {kind!r}: {describe(element)}")
    if name == "button" and kind not in SAFE_BUTTON_TYPES:
        report.add(path, f"button that would submit the form: {describe(element)}")


def check_foreign(
    path: Path,
    element: ElementTree.Element,
    foreign_root: ElementTree.Element,
    report: Report,
) -> None:
    """Only the theme's charts (<svg> of a chart class, holding only plain shapes and text)
    and abstracts' math (<math> of presentation elements, with no link, style or handler)."""
    name = local(element.tag)
    if namespace(foreign_root.tag) == MATHML and local(foreign_root.tag) == "math":
        if name not in MATH_ELEMENTS:
            report.add(path, f"unexpected element inside math: {describe(element)}")
        for attribute in element.attrib:
            if local(attribute) not in MATH_ATTRIBUTES:
                report.add(path, f"unexpected attribute inside math: {describe(element)}")
        return
    is_chart = (namespace(foreign_root.tag) == SVG
                and bool(THEME_CHARTS & set((foreign_root.get("class") or "").split())))
    if not is_chart:
        if element is foreign_root:
            report.add(path, f"foreign element outside the theme's charts: {describe(element)}")
        return
    if element is not foreign_root and name not in CHART_ELEMENTS:
        report.add(path, f"unexpected element inside a chart: {describe(element)}")


def check_script(
    path: Path, element: ElementTree.Element, report: Report, context: SiteContext
) -> None:
    if (element.get("type") or "").strip().lower() == "application/ld+json":
        # A data block (schema.org metadata): never run, but it must be JSON and only JSON.
        try:
            json.loads(element.text or "")
        except ValueError:
            report.add(path, f"JSON-LD that is not JSON: {(element.text or '')[:80]!r}")
        if element.get("src") is not None or len(element):
            report.add(path, f"JSON-LD with a source or children: {describe(element)}")
        return
    source = element.get("src")
    if source is None or not is_internal(source, context):
        report.add(path, f"script that is not a file of this site: {describe(element)}")
    if (element.text or "").strip():
        report.add(path, f"inline script: {(element.text or '').strip()[:80]!r}")


def check_link_element(
    path: Path, element: ElementTree.Element, report: Report, context: SiteContext
) -> None:
    rels = set((element.get("rel") or "").lower().split())
    href = element.get("href") or ""
    if len(rels) != 1 or not rels <= THEME_LINK_RELS:
        report.add(path, f"<link> that is not the theme's own: {describe(element)}")
        return
    if "canonical" in rels:
        if not href.startswith(context.origin + context.base_path) or not context.origin:
            report.add(path, f"canonical link outside the site: {describe(element)}")
    elif not is_internal(href, context):
        report.add(path, f"<link> to a file outside the site: {describe(element)}")


def check_attribute(
    path: Path, element: ElementTree.Element, name: str, value: str, report: Report
) -> None:
    if name.startswith("on"):
        report.add(path, f"event handler attribute {name} on {describe(element)}")
    elif name in ("style", "srcdoc"):
        report.add(path, f"{name} attribute on {describe(element)}")
    elif name in URL_ATTRIBUTES:
        check_url(path, element, name, value, report)
    elif name in URL_LIST_ATTRIBUTES:
        candidates = value.split(",") if name != "ping" else value.split()
        for candidate in candidates:
            words = candidate.split()
            if words:
                check_url(path, element, name, words[0], report)


def check_url(
    path: Path, element: ElementTree.Element, name: str, value: str, report: Report
) -> None:
    scheme = scheme_of(value)
    if scheme is None or scheme in SAFE_SCHEMES:
        return
    image_source = local(element.tag) == "img" and name in ("src", "srcset")
    if scheme == "data" and image_source and clean_url(value).lower().startswith("data:image/"):
        return
    report.add(path, f"{scheme}: URL in {name} of {describe(element)}")


def check_anchor(
    path: Path, element: ElementTree.Element, report: Report, context: SiteContext
) -> None:
    """A link off the site must say it is user-generated (rel="nofollow ugc noopener")."""
    href = element.get("href") or ""
    if is_trusted(href, context) or is_internal(href, context) or href.startswith("#"):
        return
    rels = set((element.get("rel") or "").lower().split())
    if not rels >= CONTENT_REL:
        leaves = "leaves the site" if leaves_site(href, context) else "is not a site URL"
        report.add(path, f"link that {leaves} without rel=\"nofollow ugc noopener\": "
                         f"{describe(element)}")


def is_trusted(href: str, context: SiteContext) -> bool:
    return any(
        href == url or href.startswith((url.rstrip("/") + "/", url.rstrip("/") + "?"))
        for url in context.trusted_urls
    )


def clean_url(value: str) -> str:
    return URL_NOISE.sub("", value)


def scheme_of(value: str) -> str | None:
    match = SCHEME.match(clean_url(value))
    return match.group(1).lower() if match else None


def leaves_site(value: str, context: SiteContext) -> bool:
    """Whether a browser would take `value` to another host than the site's."""
    url = clean_url(value).replace("\\", "/")  # browsers read `/\host` as `//host`
    if url.startswith("//"):
        return True
    scheme = scheme_of(url)
    if scheme is None:
        return False
    return not (context.origin and url.lower().startswith(context.origin.lower() + "/"))


def is_internal(value: str, context: SiteContext) -> bool:
    """A URL of this site's own pages and files: under the base path, on the same host."""
    if leaves_site(value, context):
        return False
    url = clean_url(value)
    if context.origin and url.lower().startswith(context.origin.lower() + "/"):
        url = url[len(context.origin):]
    return scheme_of(url) is None and url.startswith(context.base_path)


def check_csp(path: Path, root: ElementTree.Element, report: Report) -> None:
    """One Content-Security-Policy meta in <head>, whose script-src allows no inline script."""
    head = root.find("head")
    policies = [
        meta.get("content") or "" for meta in root.iter("meta")
        if (meta.get("http-equiv") or "").strip().lower() == "content-security-policy"
    ]
    in_head = [] if head is None else [
        meta for meta in head.iter("meta")
        if (meta.get("http-equiv") or "").strip().lower() == "content-security-policy"
    ]
    if len(policies) != 1 or len(in_head) != 1:
        report.add(path, f"expected one Content-Security-Policy meta in <head>, found "
                         f"{len(in_head)} in <head> and {len(policies)} in all")
        return
    directives: dict[str, list[str]] = {}
    for directive in policies[0].split(";"):
        words = directive.split()
        if words:
            directives.setdefault(words[0].lower(), [word.lower() for word in words[1:]])
    script = directives.get("script-src")
    if script is None:
        report.add(path, f"CSP has no script-src: {policies[0]!r}")
        return
    if "'self'" not in script:
        report.add(path, f"CSP script-src is not 'self': {policies[0]!r}")
    unsafe = sorted(UNSAFE_SCRIPT_SOURCES & set(script))
    if unsafe == ["'wasm-unsafe-eval'"] and path.parent.name == "search" and (
            path.name == "index.html"):
        unsafe = []  # Pagefind's WebAssembly, on the search page and nowhere else
    if unsafe:
        report.add(path, f"CSP script-src allows {', '.join(unsafe)}: {policies[0]!r}")


# -- XML and JSON ----------------------------------------------------------------------------


def check_xml_file(path: Path, report: Report, context: SiteContext) -> None:
    data = path.read_bytes()
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        report.add(path, "has a DOCTYPE or entity declaration")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        report.add(path, f"not UTF-8: {error}")
        return
    bad = XML_INVALID.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        report.add(path, f"character U+{ord(bad.group()):04X} on line {line} is not allowed "
                         "in XML")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        report.add(path, f"not well-formed XML: {error}")
        return
    if root.tag == f"{{{ATOM}}}feed":
        check_feed(path, root, report, context)


def check_feed(
    path: Path, root: ElementTree.Element, report: Report, context: SiteContext
) -> None:
    """Feed readers render `type="html"` text as HTML: every text must be plain text."""
    for element in root.iter():
        name = local(element.tag)
        kind = element.get("type")
        if name != "link" and kind is not None and kind != "text":
            report.add(path, f"<{name} type={kind!r}> is rendered as markup by feed readers")
        href = element.get("href")
        if href is not None and scheme_of(href) not in (None, "http", "https"):
            report.add(path, f"<{name}> links to a {scheme_of(href)}: URL")
        if name == "link" and href is not None and not is_internal(href, context):
            report.add(path, f"<link> in the feed leads off the site: {href!r}")


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def check_json_file(path: Path, report: Report) -> None:
    try:
        json.loads(path.read_bytes().decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError) as error:
        report.add(path, f"not valid JSON: {error}")


# -- a run's output --------------------------------------------------------------------------


# `path:line[:col]: severity: message`, the only shape a problem may be printed in.
DIAGNOSTIC = re.compile(
    r"^(?P<path>.+?):(?P<line>[1-9][0-9]*)(?::(?P<col>[1-9][0-9]*))?: "
    r"(?P<severity>error|warning): (?P<message>\S.*)$"
)
# The counts; how many orphan warnings the errors made (left out until they are fixed), and
# how many warnings of each kind were counted rather than printed.
LEFT_OUT = r"[0-9]+ \[orphan\] left out until the errors are fixed: a file with errors loses " \
           r"its citations"
GROUPED = r"[0-9]+ more \[[a-z-]+\](?:, [0-9]+ more \[[a-z-]+\])* not shown: --verbose shows " \
          r"every warning"
NOTES = rf"(?:{LEFT_OUT}|{GROUPED}|{LEFT_OUT}; {GROUPED})"
COUNTS = rf"[0-9]+ errors?, [0-9]+ warnings?(?: \({NOTES}\))?"
FAILED = {
    "build": re.compile(rf"^build failed: {COUNTS}; .+ was left as it was$"),
    "check": re.compile(rf"^check failed: {COUNTS}$"),
}
# What a terminal or a CI log would act on: escape sequences, backspaces, carriage returns.
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")


def output_problems(
    command: str,
    exit_code: int,
    stderr: str,
    hub_dir: Path,
    *,
    also_inside: Collection[Path] = (),
) -> list[str]:
    """Why `stderr` is not what a run of `citehub <command>` may print, or [] when it is.

    Every line is a `path:line[:col]: error|warning: message` about a file of the hub (or
    of a folder in `also_inside`), and a failed run ends with its one summary line. Anything
    else (a traceback, a message split over lines by a newline in the content, an escape
    sequence, a forged `::error` workflow command) is a problem.
    """
    problems: list[str] = []
    control = TERMINAL_CONTROLS.search(stderr)
    if control:
        problems.append(f"control character U+{ord(control.group()):04X} in stderr: "
                        f"{stderr[max(0, control.start() - 60):control.end() + 20]!r}")
    lines = stderr.splitlines()
    if exit_code == 1:
        if not lines or not FAILED[command].match(lines[-1]):
            problems.append(f"a failed {command} must end with its summary line: "
                            f"{lines[-1:]!r}")
        else:
            lines = lines[:-1]
    errors = 0
    folders = [hub_dir.resolve(), *(folder.resolve() for folder in also_inside)]
    for line in lines:
        if line == NO_BASE_URL:  # the one note a build may print, always these words
            continue
        match = DIAGNOSTIC.match(line)
        if match is None:
            problems.append(f"not a `path:line: severity: message` line: {line[:200]!r}")
            continue
        errors += match["severity"] == "error"
        where = Path(match["path"])
        where = (where if where.is_absolute() else Path.cwd() / where).resolve()
        if not any(where.is_relative_to(folder) for folder in folders):
            problems.append(f"problem reported about a file outside the hub: {line[:200]!r}")
    if exit_code == 1 and not errors and not problems:
        problems.append("a failed run reported no error")
    if exit_code == 0 and errors:
        problems.append("a run that passed reported errors")
    return problems


# -- reading pages in tests ------------------------------------------------------------------


def text_content(element: ElementTree.Element) -> str:
    """The element's text as a reader sees it, whitespace folded."""
    return fold("".join(element.itertext()))


def fold(text: str) -> str:
    return " ".join(text.split())


def page_text(path: Path) -> str:
    """The visible text of an HTML page (comments left out), whitespace folded."""
    root, _ = parse_html(path.read_text(encoding="utf-8"))
    body = root.find("body")
    return text_content(body if body is not None else root)
