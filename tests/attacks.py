"""The attacker's toolbox shared by test_xss.py and test_fuzz.py.

A corpus of XSS and injection payloads (OWASP's filter-evasion classics, template syntax,
Markdown link tricks, control characters), the known bugs each one shows, and the plumbing to
write hub files the way an attacker can (any string YAML can hold) and run the CLI in-process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from citehub.cli import main

# -- bugs found by these tests -------------------------------------------------------------
# Each bug these tests found was pinned here by a strict xfail until it was fixed: control
# characters reaching pages, data: links, link-check blame, %-escaped and backslashed
# base_url paths, diagnostics that quoted values verbatim. None is open; a new one gets a
# reason string here and `bugs=(…)` on the payloads that show it.


def xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(reason=reason, strict=True)


@dataclass(frozen=True)
class Payload:
    name: str
    text: str
    bugs: tuple[str, ...] = ()  # known bugs it shows besides those its characters cause
    base_url_bugs: tuple[str, ...] = ()  # … as hub.yaml's base_url
    link_bugs: tuple[str, ...] = ()  # … as the target of a link in an abstract


# Characters HTML or XML forbid (tab, newline and carriage return are fine): controls and
# noncharacters. And those that break a line of output or drive a terminal.
FORBIDDEN_IN_MARKUP = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]"
)
BREAKS_OUTPUT = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def text_bugs(payload: Payload) -> tuple[str, ...]:
    """Known bugs that change how a payload's text is shown (none open)."""
    return ()


def page_bugs(payload: Payload) -> tuple[str, ...]:
    """Known bugs a payload shows in pages built with it."""
    return text_bugs(payload) + payload.bugs


def message_bugs(payload: Payload) -> tuple[str, ...]:
    """Known bugs a payload shows in the diagnostics that quote it (none open)."""
    return ()


PAYLOADS = (
    # The OWASP filter-evasion classics.
    Payload("script", "<script>alert(1)</script>"),
    Payload("img-onerror", "<img src=x onerror=alert(1)>"),
    Payload("svg-onload", "<svg onload=alert(1)>"),
    Payload("svg-script", "<svg><script>alert(1)</script></svg>"),
    Payload("close-script", "</script><script>alert(1)</script>"),
    Payload("attr-breakout", '"><script>alert(1)</script>'),
    Payload("single-quote-breakout", "'><script>alert(1)</script>"),
    Payload("xss-locator", "'';!--\"<XSS>=&{()}"),
    Payload("iframe-js", "<iframe src=javascript:alert(1)>"),
    Payload("a-js", '<a href="javascript:alert(1)">x</a>'),
    Payload("body-onload", "<body onload=alert(1)>"),
    Payload("math-xlink", '<math><mi xlink:href="javascript:alert(1)">x</mi></math>'),
    Payload("style-import", "<style>@import'javascript:alert(1)';</style>"),
    Payload("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    Payload("base-href", '<base href="javascript:alert(1)//">'),
    Payload("js-url", "javascript:alert(1)"),
    Payload("js-mixed-case", "JaVaScRiPt:alert(1)"),
    Payload("js-tab", "java\tscript:alert(1)"),
    Payload("js-newline", "java\nscript:alert(1)"),
    Payload("js-leading-space", "  javascript:alert(1)"),
    Payload("js-nul", "java\0script:alert(1)"),
    Payload("js-entity-decimal",
            "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)"),
    Payload("js-entity-hex", "&#x6A;avascript:alert(1)"),
    Payload("js-entity-padded", "&#0000106&#0000097vascript:alert(1)"),
    Payload("js-entity-tab", "jav&#x09;ascript:alert(1)"),
    Payload("js-entity-colon", "javascript&colon;alert(1)"),
    Payload("js-percent", "javascript%3Aalert(1)"),
    Payload("vbscript", "vbscript:msgbox(1)"),
    Payload("livescript", "livescript:alert(1)"),
    Payload("data-html", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    Payload("data-svg", "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"),
    Payload("file-url", "file:///etc/passwd"),
    Payload("ms-msdt", "ms-msdt:/id PCWDiagnostic /skip force"),
    # Template syntax: printed as written, never evaluated.
    Payload("jinja-expression", "{{ 7*7 }}"),
    Payload("jinja-raw", "{% raw %}"),
    Payload("jinja-raw-block", "{% raw %}{{ 7*7 }}{% endraw %}"),
    Payload("jinja-config", "{{ config }}"),
    Payload("jinja-ssti", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    Payload("jinja-loop", "{% for x in range(3) %}{{ x }}{% endfor %}"),
    Payload("jinja-comment", "{# hidden #}"),
    Payload("other-templates", "${7*7} #{7*7} <%= 7*7 %> {{7*'7'}} [[${7*7}]]"),
    # More element and attribute tricks.
    Payload("svg-animate", "<svg><animate onbegin=alert(1) attributeName=x dur=1s>"),
    Payload("svg-use", "<svg><use href=\"data:image/svg+xml,<svg id='x' "
                       "xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)'/>"
                       "</svg>#x\"/></svg>"),
    Payload("details-ontoggle", "<details open ontoggle=alert(1)>"),
    # The exports: a spreadsheet formula (CSV injection) and a BibTeX field break-out.
    Payload("csv-formula", '=HYPERLINK("https://evil.example/","click")'),
    Payload("bibtex-breakout", "x}, note={injected} } @misc{evil, title={owned"),
    # TeX math becomes MathML at build time: the converter must not be a way in.
    Payload("tex-text-script", "$\\text{<script>alert(1)</script>}$"),
    Payload("tex-href", "$\\href{javascript:alert(1)}{x}$ $$\\href{javascript:alert(1)}{y}$$"),
    Payload("tex-style", "$\\style{background:url(javascript:alert(1))}{x}$"),
    Payload("tex-mathml-breakout", "$x</math><img src=x onerror=alert(1)>$"),
    Payload("input-autofocus", "<input autofocus onfocus=alert(1)>"),
    Payload("form-action", '<form action="javascript:alert(1)"><button>x</button></form>'),
    Payload("button-formaction", "<button formaction=javascript:alert(1)>x</button>"),
    Payload("object-data", '<object data="javascript:alert(1)">'),
    Payload("embed", "<embed src=\"data:text/html,<script>alert(1)</script>\">"),
    Payload("link-import", '<link rel=import href="data:text/html,<script>alert(1)</script>">'),
    Payload("style-expression", '<div style="width: expression(alert(1))">x</div>'),
    Payload("img-entity-handler", '<img src="x" onerror="&#97;lert(1)">'),
    Payload("isindex", "<isindex type=image src=1 onerror=alert(1)>"),
    Payload("custom-element", "<xss onpointerenter=alert(1) style=display:block>x</xss>"),
    Payload("title-breakout", "</title><script>alert(1)</script>"),
    Payload("textarea-breakout", "</textarea><script>alert(1)</script>"),
    Payload("comment-breakout", "--><script>alert(1)</script><!--"),
    Payload("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    Payload("noscript-mxss", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    Payload("double-quote-attr", '" onmouseover="alert(1)'),
    Payload("single-quote-attr", "' onmouseover='alert(1)"),
    Payload("backtick-attr", "` onmouseover=alert(1) `"),
    Payload("unquoted-attr", "x onmouseover=alert(1) y"),
    Payload("xml-breakout", "]]></title><script>alert(1)</script><title>"),
    Payload("xml-entity", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;'),
    Payload("url-encoded", "%3Cscript%3Ealert(1)%3C/script%3E"),
    Payload("js-escapes", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"),
    Payload("fullwidth", "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e"),  # fullwidth < and >
    Payload("utf7", "+ADw-script+AD4-alert(1)+ADw-/script+AD4-"),
    Payload("ansi-escape", "\x1b[2J\x1b]0;pwned\x07title"),
    Payload("workflow-command", "x\n::error file=README.md,line=1::forged"),
    Payload("bidi-override", "\u202ealert(1)\u202c"),
    # Markdown-specific: links, images, autolinks, references, titles.
    Payload("md-js-link", "[x](javascript:alert(1))"),
    Payload("md-autolink", "<javascript:alert(1)>"),
    Payload("md-js-image", "![x](javascript:alert(1))"),
    Payload("md-reference", "[x][r]\n\n[r]: javascript:alert(1) \"t\""),
    Payload("md-title-quotes", '[x](https://example.com "a\\" onmouseover=\\"alert(1)")'),
    Payload("md-title-single", "[x](https://example.com 'a\" onclick=\"alert(1)')"),
    Payload("md-entity-link", "[x](&#106;avascript:alert(1))"),
    Payload("md-angle-tab", "[x](<java&#x09;script:alert(1)>)"),
    Payload("md-data-link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    Payload("md-data-image-link", "[x](data:image/png;base64,iVBORw0KGgo=)"),
    Payload("md-protocol-relative", "[x](//evil.example/)"),
    Payload("backslash-path", "/\\evil.example/"),
    Payload("data-png", "data:image/png;base64,iVBORw0KGgo="),
    Payload("md-html-block", "<div>\n<script>alert(1)</script>\n</div>"),
    # Valid http(s) URLs carrying markup: kept as links, escaped.
    Payload("https-breakout", 'https://example.com/"><script>alert(1)</script>'),
    Payload("https-svg", "https://example.com/?q=<svg/onload=alert(1)>"),
    Payload("https-userinfo", "https://javascript:alert(1)@example.com/"),
)
TEMPLATE_PAYLOADS = tuple(p for p in PAYLOADS if p.name.startswith(("jinja", "other-templ")))


def dump(data: object) -> str:
    """YAML for `data`, every string quoted as YAML needs: an attacker can write any string."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)


def write_paper(path: Path, front_matter: dict[str, Any], body: str) -> None:
    path.write_text(f"---\n{dump(front_matter)}---\n{body}", encoding="utf-8")


@dataclass(frozen=True)
class Built:
    root: Path
    exit_code: int
    stdout: str
    stderr: str

    @property
    def site(self) -> Path:
        return self.root / "site"


def run(command: str, root: Path, *options: str) -> Built:
    """`citehub <command> root`, in-process; an exception is a failure, never an exit."""
    result = CliRunner().invoke(main, [command, str(root), *options], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"citehub {command} raised {result.exception!r}\n"
                             f"{result.stderr}") from result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return Built(root, result.exit_code, result.stdout, result.stderr)


