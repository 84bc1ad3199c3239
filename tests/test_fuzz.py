"""Property-based tests: random, broken and hostile hubs never crash a build or check.

Hypothesis writes small hubs (2 to 4 papers, some citing each other, sometimes a hub.yaml)
whose front matter ranges from valid to garbage: known keys and random ones, every kind of
YAML scalar (unicode text, numbers, dates, booleans, nothing), lists and nested mappings,
XSS payloads, then mutated as text (stray brackets, quotes, tabs, anchors, tags, broken
indentation) and as bytes (invalid UTF-8, byte order marks, NUL, CR). Abstracts are random
Markdown with HTML and payloads. Half the hubs are valid with random text (so that sites get
built and checked), half are broken anyhow (so that every error path runs). For every example:

- `citehub build` exits 0 or 1, never with an exception;
- what it prints on stderr is only `path:line[:col]: error|warning: message` lines about
  files of the hub, and on failure the one `build failed: …` line;
- a failed build leaves no site (or the previous one exactly as it was) and no temporary
  folder; a successful one replaced the previous site, and `assert_inert` holds for it;
- `citehub check` (and `--strict`) obeys the same rules, agrees with the build (the same
  exit, the same problems), and writes nothing;
- all of it under a memory cap (tests/limits.py).

Examples per test: `CITEHUB_FUZZ_EXAMPLES` (default 70). On CI (`CI` set) the examples are
derandomized, so a run fails only when the code changed, never by the luck of the draw;
locally every run explores new inputs and hypothesis replays failures from .hypothesis/.
Inputs that trigger a known, pinned bug are not generated (AVOID below); CITEHUB_FUZZ_ALL=1
generates them too.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import citehub
from citehub.build import load_corpus
from citehub.diagnostics import Diagnostics
from citehub.write import MARKER

from attacks import (
    BREAKS_OUTPUT,
    FORBIDDEN_IN_MARKUP,
    PAYLOADS,
    Built,
    dump,
    run,
)
from inert import assert_inert, output_problems
from limits import memory_cap

# -- known bugs: inputs that trigger them are not generated while they are open ---------------
#
# Each is pinned by a deterministic strict-xfail test (below, and in test_xss.py). When one is
# fixed, set its flag to False so the fuzzer explores those inputs again. CITEHUB_FUZZ_ALL=1
# turns every flag off, to see what the fuzzer finds with nothing held back.

AVOID = {
    # YAML escapes or raw control characters (and noncharacters) reach pages and feed.xml.
    "control-characters": False,
    # Diagnostics quote values verbatim: a newline splits a `path:line: error:` line.
    "message-injection": False,
    # `novelty: !!int abc`, `refs: !!float x`: ValueError/TypeError tracebacks.
    "explicit-tags": False,
    # [x](data:image/png;base64,…) in an abstract becomes <a href="data:…">.
    "data-image-anchors": False,
}
if os.environ.get("CITEHUB_FUZZ_ALL"):
    AVOID = dict.fromkeys(AVOID, False)

EXAMPLES = int(os.environ.get("CITEHUB_FUZZ_EXAMPLES", "70"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
THEME = Path(citehub.__file__).parent / "theme"

PAPER_KEYS = ("title", "authors", "date", "type", "categories", "venue", "volume", "issue",
              "pages", "publisher", "institution", "links", "citation_counts", "added", "verdict",
              "novelty", "summary", "draft", "cites")
CITATION_KEYS = ("paper", "role", "polarity", "refs", "influential", "context")
LINK_KINDS = ("arxiv", "doi", "pdf", "code", "url", "data", "slides", "video")
HUB_KEYS = ("title", "description", "base_url", "repo_url", "vocabulary", "representative",
            "filter_pages_min_citing", "paginate", "kinds")
IDS = ("a", "b", "2306.08540", "cs-0112017", "x_y.z-1")
# File names that are no valid id (or clash with one in letter case): each an error.
BAD_NAMES = ("-x", "_y", "a b", "é", "A")
ROLES: tuple[str, ...] = ("background", "method", "result", "comparison", "extension",
                          "dataset")
POLARITIES: tuple[str, ...] = ("background", "support", "contrast")

@pytest.fixture(scope="module", autouse=True)
def capped_memory() -> Iterator[None]:
    """Every test of this module runs under a memory cap (see limits.py)."""
    with memory_cap():
        yield



# -- strategies ------------------------------------------------------------------------------


def characters() -> st.SearchStrategy[str]:
    if AVOID["control-characters"]:
        # No C0/C1 controls but tab, no surrogates, no unassigned code points (noncharacters
        # such as U+FFFE among them).
        return st.characters(exclude_categories=["Cs", "Cc", "Cn"], include_characters="\t")
    return st.characters(exclude_categories=["Cs"])


def texts(min_size: int = 0, max_size: int = 24) -> st.SearchStrategy[str]:
    return st.text(characters(), min_size=min_size, max_size=max_size)


def usable(text: str) -> bool:
    if AVOID["control-characters"] and FORBIDDEN_IN_MARKUP.search(text):
        return False
    if AVOID["message-injection"] and BREAKS_OUTPUT.search(text):
        return False
    return not (AVOID["data-image-anchors"] and "data:image/png" in text)


PAYLOAD_TEXTS = tuple(payload.text for payload in PAYLOADS if usable(payload.text))
WORDS = ("Knowledge distillation", "Über", "日本語の論文", "🙂 emoji", "naïve café", "x" * 40,
         "  padded  ", "Title: with colon", "- dash", "# hash", "@at", "`tick`", "yes", "null",
         "2024-02-30", "0x1F", "1e3", ".inf", "~")


def words() -> st.SearchStrategy[str]:
    return st.one_of(texts(), st.sampled_from(WORDS), st.sampled_from(PAYLOAD_TEXTS))


def scalars() -> st.SearchStrategy[object]:
    """Every kind of YAML scalar PyYAML writes: text, numbers, flags, nothing, dates, bytes."""
    numbers: st.SearchStrategy[object] = st.one_of(
        st.integers(-(10**12), 10**12), st.floats(allow_nan=True, allow_infinity=True))
    # (Integers of thousands of digits cannot even be written by PyYAML here: see the
    # deterministic test of them below.)
    return st.one_of(words(), numbers, st.booleans(), st.none(), st.dates(),
                     st.binary(max_size=6))


def values() -> st.SearchStrategy[object]:
    """Scalars, lists and nested mappings of them."""
    return st.recursive(
        scalars(),
        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                st.dictionaries(keys(), inner, max_size=3)),
        max_leaves=6,
    )


def keys() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(PAPER_KEYS + CITATION_KEYS), texts(1, 10))


def dates() -> st.SearchStrategy[object]:
    return st.one_of(
        st.sampled_from(["2024", "2024-02", "2024-02-29", "2023-02-29", "2024-13", "2024-1-1",
                         "0000", "99999", "2026-06-08"]),
        st.dates(), st.integers(1900, 2100), values(),
    )


def link_values(clean: bool) -> st.SearchStrategy[object]:
    """Link values: good ones, and (dropped with a warning) anything else."""
    good = st.sampled_from(["https://example.com/paper", "http://a.example/x?y=1#z",
                            "2306.08540", "2306.08540v2", "cs/0112017", "10.1000/xyz",
                            "https://arxiv.org/abs/2306.08540", "https://doi.org/10.1/x"])
    dropped = st.one_of(st.sampled_from(["ftp://example.com/", "//example.com/", "example.com"]),
                        filled_words())
    return st.one_of(good, dropped) if clean else st.one_of(good, dropped, values())


def maybe(draw: st.DrawFn, probability_in_8: int, strategy: st.SearchStrategy[object]) -> object:
    """A value, or None (the key is left out) with probability 1 - n/8."""
    return draw(strategy) if draw(st.integers(0, 7)) < probability_in_8 else None


def filled_words() -> st.SearchStrategy[str]:
    """Text that stays text once stripped (an empty value is an error)."""
    return st.one_of(texts(1).map(lambda text: text if text.strip() else f"x{text}"),
                     st.sampled_from(WORDS), st.sampled_from(PAYLOAD_TEXTS))


@st.composite
def citations(draw: st.DrawFn, ids: tuple[str, ...], roles: tuple[str, ...],
              polarities: tuple[str, ...], clean: bool) -> dict[str, object]:
    if clean:
        role, polarity = st.sampled_from(roles), st.sampled_from(polarities)
        refs: st.SearchStrategy[object] = st.integers(1, 4)
        context: st.SearchStrategy[object] = st.one_of(
            filled_words(), st.lists(filled_words(), max_size=3))
    else:
        role = st.one_of(st.sampled_from(roles), words())
        polarity = st.one_of(st.sampled_from(polarities), words())
        refs = st.one_of(st.integers(-1, 4), values())
        context = st.one_of(words(), st.lists(words(), max_size=3), values())
    cited = draw(st.sampled_from(ids)) if clean or draw(st.booleans()) else draw(
        st.one_of(st.sampled_from(["nope", "2306.0854"]), values()))
    citation: dict[str, object] = {"paper": cited}
    for key, strategy in (("role", role), ("polarity", polarity), ("refs", refs),
                          ("context", context)):
        value = maybe(draw, 4, strategy)
        if value is not None:
            citation[key] = value
    if not clean and draw(st.integers(0, 7)) == 0:
        citation[draw(keys())] = draw(values())
    return citation


@st.composite
def front_matters(draw: st.DrawFn, paper_id: str, ids: tuple[str, ...],
                  roles: tuple[str, ...], polarities: tuple[str, ...],
                  clean: bool) -> dict[str, object]:
    """Valid front matter with random text (clean), or wrong in any field (hostile)."""
    hostile = not clean and draw(st.booleans())  # wrong types anywhere, random keys
    text = filled_words() if clean else words()

    def maybe_wrong(good: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
        return st.one_of(good, values()) if hostile else good

    others = tuple(other for other in ids if other != paper_id) or ids
    fields: dict[str, object] = {"title": draw(maybe_wrong(text))}
    optional: dict[str, tuple[int, st.SearchStrategy[object]]] = {
        "authors": (5, st.lists(text, max_size=3)),
        "date": (6, st.sampled_from(["2023", "2024-02", "2025-06-08", "2026-01-31"])
                 if clean else dates()),
        "categories": (3, st.lists(text, max_size=2)),
        "venue": (3, text),
        "links": (4, st.dictionaries(st.sampled_from(LINK_KINDS), link_values(clean),
                                     max_size=3) if not hostile else
                  st.dictionaries(st.one_of(st.sampled_from(LINK_KINDS), keys()),
                                  link_values(clean), max_size=3)),
        "verdict": (3, text),
        "novelty": (4, st.floats(0, 10) if not hostile else
                    st.one_of(st.floats(0, 10), st.integers(-2, 12), values())),
        "summary": (4, text),
        "draft": (1, st.booleans()),
        "cites": (6, st.lists(citations(others if clean else ids, roles, polarities, clean),
                              max_size=3, unique_by=lambda c: str(c["paper"]))
                  if clean else st.lists(citations(ids, roles, polarities, clean), max_size=3)),
    }
    for key, (probability, strategy) in optional.items():
        value = maybe(draw, probability, maybe_wrong(strategy))
        if value is not None:
            fields[key] = value
    if hostile:
        for _ in range(draw(st.integers(0, 2))):
            fields[draw(keys())] = draw(values())
    return fields


# Markdown: everything an abstract may hold, good and bad.
MARKDOWN = (
    "# Heading", "## Sub *heading*", "Plain text with $x^2$ and \\textit{TeX}.",
    "*emph* **strong**", "`code`", "```python\nprint('<b>')\n```", "> quoted\n> text",
    "- one\n- two", "1. first", "| a | b |\n|---|---|\n| 1 | 2 |",
    "[link](https://example.com/)", "<https://example.com>", "www.example.com/path",
    "mail me: a@example.com", "![img](https://example.com/x.png)",
    "[ref link][r]\n\n[r]: https://example.com/ \"title\"", "<div>html</div>", "<b>bold</b>",
    "<script>alert(1)</script>", "&amp; &#x3C; &nbsp; &bogus;", "---", "***", "\\",
    "<!-- c -->", "[x](javascript:alert(1))", "~~struck~~", "line  \nbreak",
    "    indented code", "[protocol relative](//example.com/x)",
)
# Links a build checks, and fails on when they lead nowhere or out of the base path.
SITE_LINKS = ("[relative](other/)", "[anchor](#nowhere)", "[home](/)", "[paper](/papers/a/)",
              "[citing](#citing)")


def bodies(clean: bool) -> st.SearchStrategy[str]:
    markdown = MARKDOWN if clean else MARKDOWN + SITE_LINKS
    fragment = st.one_of(st.sampled_from(markdown), st.sampled_from(PAYLOAD_TEXTS), words())
    return st.lists(fragment, max_size=6).map("\n\n".join)


# Text-level mutations of YAML: what a careless or hostile edit does to front matter.
TOKENS = [": ", "- ", "[", "]", "{", "}", "'", '"', "#", "&a ", "*a", "!!str ", "!!binary ",
          "!!python/object:os.system ", "!custom ", "? ", "|", ">", "\t", "  ", "---", "...",
          "%YAML 1.1\n", "\n", "\\", ",", "\u2028", "\x85", "\ufeff"]
if not AVOID["explicit-tags"]:
    TOKENS += ["!!int ", "!!float ", "!!bool ", "!!null "]
BYTES = [b"\xff", b"\xfe", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\x00", b"\r", b"\r\n",
         b"\x1b", b"\xc2\x85", b"\xf4\x90\x80\x80"]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """YAML text after a few random edits, as bytes (some edits break the encoding)."""
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(st.integers(0, 5))
        lines = text.split("\n")
        if operation == 0:  # insert a token
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif operation == 1 and text:  # delete a slice
            at = draw(st.integers(0, len(text) - 1))
            text = text[:at] + text[at + draw(st.integers(1, 8)):]
        elif operation == 2:  # indent or dedent a line
            at = draw(st.integers(0, len(lines) - 1))
            lines[at] = "  " + lines[at] if draw(st.booleans()) else lines[at][2:]
            text = "\n".join(lines)
        elif operation == 3:  # duplicate a line (duplicate keys)
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(at, lines[at])
            text = "\n".join(lines)
        elif operation == 4:  # insert a line of random text
            at = draw(st.integers(0, len(lines)))
            lines.insert(at, draw(texts(max_size=12)))
            text = "\n".join(lines)
        else:  # swap two lines
            last = len(lines) - 1
            first, second = draw(st.integers(0, last)), draw(st.integers(0, last))
            lines[first], lines[second] = lines[second], lines[first]
            text = "\n".join(lines)
    data = text.encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(0, 1))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BYTES)) + data[at:]
    return data


@dataclass(frozen=True)
class HubSpec:
    hub_yaml: bytes | None
    papers: tuple[tuple[str, bytes], ...]
    previous_site: bool
    clean: bool

    def write(self, root: Path) -> None:
        folder = root / "content" / "papers"
        folder.mkdir(parents=True)
        if self.hub_yaml is not None:
            (root / "content" / "hub.yaml").write_bytes(self.hub_yaml)
        for name, data in self.papers:
            (folder / f"{name}.md").write_bytes(data)
        if self.previous_site:
            site = root / "site"
            (site / "old").mkdir(parents=True)
            (site / MARKER).write_bytes(b"This folder is generated by citehub.\n")
            (site / "old" / "index.html").write_bytes(b"<!DOCTYPE html><title>old</title>\n")


@st.composite
def hub_yamls(
    draw: st.DrawFn, clean: bool
) -> tuple[bytes | None, tuple[str, ...], tuple[str, ...]]:
    """hub.yaml (or none), and the role and polarity ids papers should mostly use."""
    roles, polarities = ROLES, POLARITIES
    if draw(st.integers(0, 3)) == 0:
        return None, roles, polarities
    text = filled_words() if clean else words()
    settings_: dict[str, object] = {}
    if draw(st.booleans()):
        settings_["title"] = draw(text)
    if draw(st.booleans()):
        settings_["description"] = draw(text)
    good_urls = ["/", "/hub/", "https://example.github.io/kd-hub/", "http://localhost:8000/",
                 "https://example.org"]
    settings_["base_url"] = draw(st.sampled_from(
        good_urls if clean else [*good_urls, "javascript:alert(1)", "not a url", "/a b/"]))
    if draw(st.booleans()):
        good_repos = ["https://github.com/example/hub", "https://github.com/example/hub/"]
        settings_["repo_url"] = draw(st.sampled_from(
            good_repos if clean else [*good_repos, "javascript:alert(1)", "ftp://x"]))
    if draw(st.booleans()):
        roles = tuple(draw(st.lists(st.sampled_from(("background", "method", "uses", "x.y")),
                                    min_size=1, max_size=3, unique=True)))
        polarities = tuple(draw(st.lists(st.sampled_from(("support", "contrast", "neutral")),
                                         min_size=1, max_size=2, unique=True)))
        settings_["vocabulary"] = {
            "roles": {role: draw(text) for role in roles},
            "polarities": {polarity: draw(text) for polarity in polarities},
        }
    for key in ("filter_pages_min_citing", "paginate", "representative"):
        if draw(st.booleans()):
            settings_[key] = draw(st.integers(1, 3) if clean else
                                  st.one_of(st.integers(0, 3), values()))
    if draw(st.integers(0, 2)) == 0:
        settings_["kinds"] = draw(st.lists(st.fixed_dictionaries(
            {"label": text, "role": st.sampled_from(roles), "share_at_least": st.floats(0, 1)},
            optional={"classified_at_least": st.integers(0, 3)},
        ), max_size=2))
    if not clean and draw(st.booleans()):
        settings_[draw(st.one_of(st.sampled_from(HUB_KEYS), texts(1, 8)))] = draw(values())
    yaml_text = dump(settings_)
    data = draw(mutated(yaml_text)) if not clean and draw(st.booleans()) else yaml_text.encode()
    return data, roles, polarities


@st.composite
def paper_files(draw: st.DrawFn, paper_id: str, ids: tuple[str, ...], roles: tuple[str, ...],
                polarities: tuple[str, ...], clean: bool) -> bytes:
    front_matter = dump(draw(front_matters(paper_id, ids, roles, polarities, clean)))
    mutate = not clean and draw(st.booleans())
    yaml_bytes = draw(mutated(front_matter)) if mutate else front_matter.encode()
    body = draw(bodies(clean)).encode("utf-8", "surrogatepass")
    shape = draw(st.integers(0, 9))
    if shape == 0 and not clean:
        return yaml_bytes + b"\n" + body  # no front matter delimiters
    if shape == 1 and not clean:
        return b"---\n" + yaml_bytes + body  # never closed
    if shape == 2:  # Windows line ends and a byte order mark: fine
        return b"\xef\xbb\xbf---\r\n" + yaml_bytes.replace(b"\n", b"\r\n") + b"---\r\n" + body
    return b"---\n" + yaml_bytes + b"---\n" + body


@st.composite
def hubs(draw: st.DrawFn) -> HubSpec:
    """A hub of 2 to 4 papers: valid with random text (half the time), or broken anyhow."""
    clean = draw(st.booleans())
    hub_yaml, roles, polarities = draw(hub_yamls(clean))
    count = draw(st.integers(2, 4))
    names = draw(st.lists(st.sampled_from(IDS), min_size=count, max_size=count, unique=True))
    if not clean and draw(st.integers(0, 3)) == 0:
        names.append(draw(st.sampled_from(BAD_NAMES)))
    ids = tuple(names)
    papers = tuple((name, draw(paper_files(name, ids, roles, polarities, clean)))
                   for name in names)
    spec = HubSpec(hub_yaml, papers, previous_site=draw(st.booleans()), clean=clean)
    assume(avoids_known_bugs(spec))
    return spec


# -- keeping known bugs out ------------------------------------------------------------------


def avoids_known_bugs(spec: HubSpec) -> bool:
    """False when the files would trigger a bug that is already pinned by an xfail test."""
    texts_ = [("hub.yaml", spec.hub_yaml)] if spec.hub_yaml is not None else []
    for name, data in [*texts_, *spec.papers]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue  # refused as a whole: nothing of it is shown or quoted
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        front, body = split_front_matter(text) if name != "hub.yaml" else (text, "")
        if AVOID["control-characters"] and FORBIDDEN_IN_MARKUP.search(body):
            return False
        if not all(usable(value) for value in scalar_texts(front)):
            return False
    return True


def split_front_matter(text: str) -> tuple[str, str]:
    """(front matter, body) as citehub splits a paper file."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return text, ""
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]) + "\n", "\n".join(lines[index + 1:])
    return "\n".join(lines[1:]) + "\n", ""


def scalar_texts(text: str) -> Iterator[str]:
    """Every scalar (keys too) YAML reads from `text`, escapes decoded; none if it fails."""
    try:
        root = yaml.compose(text.translate({0x85: " ", 0x2028: " ", 0x2029: " "}),
                            Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            yield str(node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


# -- the properties --------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes] | None:
    if not folder.exists():
        return None
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def effective_settings(root: Path) -> tuple[str, str | None]:
    """(base_url, repo_url) the build used, read the way citehub reads them."""
    config = load_corpus(root, Diagnostics()).config
    return config.base_url, config.repo_url


@FUZZ
@given(spec=hubs())
def test_build_never_crashes_and_every_site_it_makes_is_inert(spec: HubSpec) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "hub"
        spec.write(root)
        before = snapshot(root / "site")
        checked = run("check", root)
        built = run("build", root)
        event(f"build exit {built.exit_code}")
        assert built.exit_code in (0, 1), built.stderr
        # Link-check failures name theme templates for now (LINK_CHECK_BLAME in test_xss).
        assert output_problems("build", built.exit_code, built.stderr, root,
                               also_inside=(THEME,)) == []
        leftovers = sorted(set(os.listdir(root)) - {"content", "site", ".citehub-cache"})
        assert leftovers == [], "temporary folders left beside the site"
        # Check refuses exactly what build refuses, rendering included, with the same words.
        assert checked.exit_code == built.exit_code, "check and build disagree"
        assert problem_lines(checked) == problem_lines(built)
        if built.exit_code == 1:
            assert snapshot(root / "site") == before, "a failed build changed the site"
            return
        site = root / "site"
        assert not (site / "old").exists(), "the previous site was not replaced"
        assert (site / MARKER).is_file()
        base_url, repo_url = effective_settings(root)
        report = assert_inert(site, base_url=base_url,
                              trusted_urls={repo_url} if repo_url else ())
        event(f"site of {min(report.pages // 10 * 10, 50)}+ pages")


@FUZZ
@given(spec=hubs())
def test_check_never_crashes_and_writes_nothing(spec: HubSpec) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "hub"
        spec.write(root)
        before = snapshot(root)
        # --verbose: every problem printed (past five of a kind, warnings are otherwise
        # counted only, and orphans left out while there are errors), so that the two runs
        # can be compared line by line.
        checked = run("check", root, "--verbose")
        strict = run("check", root, "--strict", "--verbose")
        for result in (checked, strict):
            assert result.exit_code in (0, 1), result.stderr
            assert output_problems("check", result.exit_code, result.stderr, root) == []
        assert snapshot(root) == before, "check wrote or changed files"
        # --strict reports the same problems, every warning as an error.
        assert strict.exit_code >= checked.exit_code
        promoted = {line.replace(": warning: ", ": error: ", 1)
                    for line in problem_lines(checked)}
        assert set(problem_lines(strict)) == promoted
        if problem_lines(checked):
            assert strict.exit_code == 1


def problem_lines(result: Built) -> list[str]:
    return [line for line in result.stderr.splitlines()
            if re.match(r"^.+?:[0-9]+(:[0-9]+)?: (error|warning): ", line)]


# -- the bugs the fuzzer found, pinned ---------------------------------------------------------


def write_one_paper(root: Path, front_matter: str, hub_yaml: str | None = None) -> None:
    folder = root / "content" / "papers"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text(f"---\ntitle: A\n{front_matter}\n---\nAbstract.\n",
                                 encoding="utf-8")
    (folder / "b.md").write_text("---\ntitle: B\ndate: 2024\ncites: [{paper: a}]\n---\nB.\n",
                                 encoding="utf-8")
    if hub_yaml is not None:
        (root / "content" / "hub.yaml").write_text(hub_yaml, encoding="utf-8")


@pytest.mark.parametrize(("front_matter", "hub_yaml"), [
    pytest.param("novelty: !!int abc", None, id="int-tag-on-text"),
    pytest.param("novelty: !!float ''", None, id="float-tag-on-nothing"),
    pytest.param("novelty: !!float '[1]'", None, id="float-tag-on-list-text"),
    pytest.param("cites: [{paper: b, refs: !!int 0x}]", None, id="int-tag-on-refs"),
    pytest.param("date: 2024", "paginate: !!int x\n", id="hub-int-tag"),
    pytest.param("draft: !!bool maybe", None, id="bool-tag-on-text"),
])
def test_explicitly_tagged_value_of_the_wrong_kind_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, front_matter: str, hub_yaml: str | None
) -> None:
    monkeypatch.chdir(tmp_path)
    write_one_paper(tmp_path, front_matter, hub_yaml)
    for command in ("check", "build"):
        result = run(command, tmp_path)
        assert result.exit_code == 1
        assert output_problems(command, 1, result.stderr, tmp_path) == []


@pytest.mark.parametrize("front_matter", [
    pytest.param("novelty: " + "9" * 5000, id="novelty"),
    pytest.param("novelty: -" + "1" * 4400, id="negative"),
])
def test_an_integer_of_thousands_of_digits_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, front_matter: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write_one_paper(tmp_path, front_matter)
    result = run("check", tmp_path)
    assert result.exit_code == 1
    assert output_problems("check", 1, result.stderr, tmp_path) == []


ABSTRACT_AT_LINE_5 = "---\ntitle: A\n---\nFine.\n{}\n"
TITLE_AT_LINE_2 = "---\ntitle: {}\ndate: 2024\n---\nA.\n"
IN_ABSTRACT = "content/papers/a.md:5:"
IN_TITLE = "content/papers/a.md:2: error: 'title' contains the control character"


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(ABSTRACT_AT_LINE_5.format("An \x1b[2J escape in the abstract."), IN_ABSTRACT,
                 id="abstract-escape"),
    pytest.param(ABSTRACT_AT_LINE_5.format("A vertical\x0btab."), IN_ABSTRACT,
                 id="abstract-vertical-tab"),
    pytest.param(ABSTRACT_AT_LINE_5.format("A delete\x7f character."), IN_ABSTRACT,
                 id="abstract-delete"),
    pytest.param(ABSTRACT_AT_LINE_5.format("A C1 \x9b control."), IN_ABSTRACT,
                 id="abstract-c1-control"),
    pytest.param(TITLE_AT_LINE_2.format('"A\\0B"'), IN_TITLE, id="title-nul-escape"),
    pytest.param(TITLE_AT_LINE_2.format('"A\\eB"'), IN_TITLE, id="title-escape-escape"),
    pytest.param(TITLE_AT_LINE_2.format('"A\\uFFFEB"'), IN_TITLE, id="title-noncharacter"),
])
def test_control_characters_in_a_paper_are_an_error_at_their_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    folder = tmp_path / "content" / "papers"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text(text, encoding="utf-8")
    built = run("build", tmp_path)
    assert built.exit_code == 1
    assert expected in built.stderr and "control character" in built.stderr
    assert not built.site.exists()


@pytest.mark.parametrize("front_matter", [
    pytest.param('cites: [{paper: "x\\ny"}]', id="cited-id"),
    pytest.param('"bad\\nkey": 1', id="unknown-key"),
    pytest.param('date: "2024\\n-01"', id="date"),
    pytest.param('links: {url: "javascript:\\nalert(1)"}', id="dropped-link"),
    pytest.param("cites: |\n  a\n  b", id="block-scalar"),
])
def test_a_newline_in_a_quoted_value_does_not_split_a_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, front_matter: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write_one_paper(tmp_path, front_matter)
    result = run("check", tmp_path)
    assert output_problems("check", result.exit_code, result.stderr, tmp_path) == []
