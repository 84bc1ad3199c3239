"""TeX as arXiv abstracts write it, for the Markdown of abstracts: `$…$` and `$$…$$` math as
MathML (made at build time: no script on the page), `\\textit{}`, `\\emph{}`, `\\textbf{}` and
friends as emphasis, `--` and `---` as dashes, ``` ``…'' ``` as quotes. Whatever cannot be
rendered stays as the TeX that was written, which people read well enough.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin

MATHML = "http://www.w3.org/1998/Math/MathML"
# latex2mathml passes \text{<script>} and \href{javascript:…} through: its output is rebuilt
# from these elements and attributes only, or the formula is shown as its TeX.
ELEMENTS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "merror",
}
ATTRIBUTES = {
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
    "accentunder", "columnalign", "rowspacing", "columnspacing", "displaystyle",
    "scriptlevel", "width", "height", "depth", "linethickness", "notation", "minsize",
    "maxsize", "movablelimits", "largeop", "symmetric", "form", "columnlines", "rowlines",
    "frame", "rowalign",
}
NUMBER = re.compile(r"\d+(?:\.\d+)?")
MAX_LENGTH = 100  # em, ex, pt, mm or cm: no real formula spaces more
LENGTHS = {"width", "height", "depth", "lspace", "rspace", "minsize", "maxsize", "voffset"}
SAFE_VALUE = re.compile(r"^[A-Za-z0-9 .%+\-#]*\Z")
TEXT_COMMAND = re.compile(r"\\(textit|emph|textsl|textbf|texttt|textsc|textrm|underline)"
                          r"\{([^{}\\]*)\}")
MAX_TEX_DEPTH = 25  # braces within braces, and \left…\right within each other
MAX_TEX_LENGTH = 2_000


def _depth(tex: str) -> int:
    depth = deepest = 0
    for character in tex:
        if character == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif character == "}":
            depth -= 1
    return deepest + tex.count("\\left")


TAGS = {"textit": "em", "emph": "em", "textsl": "em", "textbf": "strong"}
DASHES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"))


def mathml(tex: str, display: bool) -> str | None:
    """`tex` as MathML, or None when it cannot be converted safely (or is nested or long
    beyond what real formulas are: the converter and the checks below recurse)."""
    if len(tex) > MAX_TEX_LENGTH or _depth(tex) > MAX_TEX_DEPTH:
        return None
    try:
        converted = convert(tex, display="block" if display else "inline")
        root = ElementTree.fromstring(converted)
    except Exception:  # latex2mathml raises many kinds of error on TeX it does not know
        return None
    if not _allowed(root):
        return None
    rebuilt = ElementTree.tostring(root, encoding="unicode", short_empty_elements=False)
    # ElementTree writes the namespace as a prefix; HTML wants MathML's plain element names.
    return rebuilt.replace("ns0:", "").replace(":ns0=", "=")


def _allowed(element: ElementTree.Element) -> bool:
    name = element.tag.removeprefix(f"{{{MATHML}}}")
    if name not in ELEMENTS:
        return False
    for attribute, value in element.attrib.items():
        if attribute not in ATTRIBUTES or not SAFE_VALUE.match(value):
            return False
        if attribute in LENGTHS and any(float(number) > MAX_LENGTH
                                        for number in NUMBER.findall(value)):
            return False  # `\hspace{99999cm}`: a page as wide as a football field
    return all(_allowed(child) for child in element)


def use_tex(markdown: MarkdownIt) -> None:
    """Teach `markdown` the TeX of abstracts."""
    # A lone dollar is money ("$5 and $10"): math needs no space inside its dollars, and no
    # digit right after the closing one.
    markdown.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False,
                 allow_blank_lines=False, double_inline=True)
    for rule in ("math_inline", "math_inline_double", "math_block"):
        markdown.add_render_rule(rule, _render_math)
    markdown.inline.ruler.before("escape", "tex_text_command", _text_command)
    markdown.core.ruler.push("tex_dashes", _dashes)


def _render_math(self: RendererHTML, tokens: Sequence[Token], index: int,
                 options: OptionsDict, env: EnvType) -> str:
    token = tokens[index]
    display = token.type != "math_inline"
    converted = mathml(token.content, display)
    if token.type == "math_block":
        shown = converted or escapeHtml(f"$${token.content}$$")
        return f'<div class="math">{shown}</div>\n'
    if converted is None:
        fence = "$$" if display else "$"
        return escapeHtml(f"{fence}{token.content}{fence}")
    return f'<span class="math">{converted}</span>'


def _text_command(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "\\":
        return False
    match = TEXT_COMMAND.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        command, text = match.groups()
        if command == "texttt":
            token = state.push("code_inline", "code", 0)
            token.content = text
        else:
            tag = TAGS.get(command)
            if tag:
                state.push(f"{tag}_open", tag, 1)
            state.push("text", "", 0).content = text
            if tag:
                state.push(f"{tag}_close", tag, -1)
    state.pos = match.end()
    return True


def _dashes(state: StateCore) -> None:
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "text":
                for tex, character in DASHES:
                    token.content = token.content.replace(tex, character)


# -- TeX in a title or a name, as BibTeX writes them --------------------------------------
#
# A title may hold the TeX its BibTeX source had: `$\ell_1$` math and braces that protect
# capitals (`{BERT}`, `{Google Brain Team}` as one author). Pages show it without those
# braces; the paper's BibTeX entry keeps both, so an import round-trips. Math is kept only
# when every command in it is a symbol or a formatting command: `$\input{/etc/passwd}$` in a
# stranger's title must not run in the LaTeX document of whoever cites the paper.

# Math as the abstracts' dollarmath reads it: no space inside the dollars, no digit after
# ("$5 and $10" is money), no dollar or backslash-escaped end inside.
INLINE_MATH = re.compile(r"\$([^\s$](?:[^$]*?[^\s$\\])?)\$(?!\d)")
MATH_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
STRUCTURE_COMMANDS = frozenset({
    "frac", "dfrac", "tfrac", "sqrt", "mathcal", "mathbf", "mathrm", "mathbb", "mathit",
    "mathsf", "mathtt", "mathfrak", "boldsymbol", "bm", "text", "textrm", "textit", "textbf",
    "operatorname", "left", "right", "big", "Big", "bigl", "bigr", "hat", "widehat", "bar",
    "tilde", "widetilde", "vec", "dot", "ddot", "overline", "underline", "min", "max", "sup",
    "inf", "lim", "det", "arg", "Pr", "mid", "quad", "qquad", "ldots", "cdots", "dots",
    ",", ";", "!", " ", "{", "}", "|", "_", "%", "#", "&", "$",
})
# Characters that would change the LaTeX document around the entry: a comment, a macro
# parameter, an alignment tab.
# TeX reads ^^5c as a backslash (and ^^7d as a brace): no formula has two carets in a row.
MATH_REFUSED = re.compile(r"(?<!\\)[%#&]|\^\^|\\[{}]|[^\x20-\x7e]")


def _known_math_commands() -> frozenset[str]:
    from latex2mathml.commands import FUNCTIONS
    from latex2mathml.symbols_parser import SYMBOLS

    named = {name[1:] for name in (*SYMBOLS, *FUNCTIONS) if re.fullmatch(r"\\[A-Za-z]+", name)}
    return frozenset(named | STRUCTURE_COMMANDS)


KNOWN_MATH_COMMANDS = _known_math_commands()


def nests(text: str) -> bool:
    """Whether the braces of `text`, as BibTeX counts them (a backslash before one changes
    nothing), nest: never more closed than opened, all closed at the end."""
    depth = 0
    for character in text:
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


def safe_math(tex: str) -> bool:
    """Whether `tex` (between dollars) may be written into a BibTeX entry as it is."""
    if len(tex) > MAX_TEX_LENGTH or _depth(tex) > MAX_TEX_DEPTH or MATH_REFUSED.search(tex):
        return False
    if not nests(tex):
        return False
    return all(match.group(1) in KNOWN_MATH_COMMANDS for match in MATH_COMMAND.finditer(tex))


TexPart = tuple[str, str]  # ("text" | "math" | "open" | "close", what was written)


def tex_parts(text: str) -> list[TexPart]:
    """`text` split into plain text, safe math and the braces that pair up (at most
    MAX_TEX_DEPTH deep); a brace without its partner, or deeper, is text."""
    closing = _matching_braces(text)
    closers = set(closing.values())
    parts: list[TexPart] = []
    position, plain_start = 0, 0
    while position < len(text):
        character = text[position]
        end = None
        if character == "$":
            match = INLINE_MATH.match(text, position)
            if match:  # math that is not safe is text, braces and all
                end, kind = match.end(), "math" if safe_math(match.group(1)) else "text"
        elif character == "{" and position in closing:
            end, kind = position + 1, "open"
        elif character == "}" and position in closers:
            end, kind = position + 1, "close"
        if end is None:
            position += 1
            continue
        if plain_start < position:
            parts.append(("text", text[plain_start:position]))
        parts.append((kind, text[position:end]))
        position = plain_start = end
    if plain_start < len(text):
        parts.append(("text", text[plain_start:]))
    return parts


def _matching_braces(text: str) -> dict[int, int]:
    """The position of each `{` that has its `}`, to that `}`'s (math is skipped whole: a
    brace inside `$…$` pairs with nothing outside it)."""
    pairs: dict[int, int] = {}
    open_at: list[int] = []
    position = 0
    while position < len(text):
        character = text[position]
        if character == "$":
            match = INLINE_MATH.match(text, position)
            if match:
                position = match.end()
                continue
        elif character == "{":
            open_at.append(position)
        elif character == "}" and open_at:
            start = open_at.pop()
            if len(open_at) < MAX_TEX_DEPTH:
                pairs[start] = position
        position += 1
    return pairs


def without_braces(text: str) -> str:
    """`text` as a reader sees it: the braces that protect capitals left out."""
    if "{" not in text:
        return text
    return "".join(part for kind, part in tex_parts(text) if kind in ("text", "math"))
