#!/usr/bin/env python3
"""Regenerate the demo hub in ``content/`` from two public sources.

Usage::

    python scripts/make_demo.py [AWESOME_README] [--seed SEED_TXT]

``AWESOME_README`` defaults to ``../shared/data/awesome-kd/README.md`` and ``--seed`` to
``../shared/seed/000_443ac2c49f73788e.txt``; relative paths are resolved against the repository
root (the parent of ``scripts/``).  Needs only the standard library and PyYAML.

What it writes
--------------

* ``content/papers/2402.13116.md`` -- the survey "A Survey on Knowledge Distillation of Large
  Language Models".  Its metadata is fixed below; its abstract (the Markdown body) is read from
  the seed page, the paragraph after the line ``abstract``.  It ``cites`` every paper listed in
  the "Awesome Knowledge Distillation of LLMs" README, each citation with ``context`` = the
  README sections (the ``####`` sub-heading, else the ``###`` heading) that list the paper.
  These citations have no role or polarity: the list does not say how the survey uses them.
* ``content/papers/<id>.md`` for each unique paper of the README's paper tables (only tables
  whose header is ``Title | Venue | Date | Code | Data``).  Papers are deduplicated by arXiv id
  (when the title link is an arxiv.org abs/pdf URL) and otherwise by normalised title; the id
  is the arXiv id, else a slug of the title.  Fields taken from the first row that has them.
  The list gives no authors or abstracts, so the files have neither.
* One file per paper in the seed's "representative citing papers" section (title line,
  ``category · date · verdict · novelty N [· N refs]`` line, summary line), each citing the
  survey with ``role: background`` and ``polarity: background``.  The seed's summary says all
  6 classified citations have role background and 5 of 6 polarity background, 1 support; which
  paper is the support one is not given, so all five are written as background.  Authors and
  abstracts of these papers are not in the seed, so they are left out.
* ``content/hub.yaml``.

Judgment calls (also printed as notes on stderr when they apply):

* Tables under ``## Encoder-based KD`` are skipped: the README says that section is *not*
  included in the survey, so those papers are not references of it (EXCLUDED_SECTIONS).
* When two rows share an arXiv id but their titles are clearly different papers (word overlap
  below TITLE_CONFLICT_JACCARD), the README's link is wrong for one of them; the later row is
  kept as a separate paper under a title slug, without the (wrong) arXiv link.
* Rows that list the survey itself (arXiv 2402.13116) are skipped.

The script owns ``content/papers/``: every ``*.md`` there that it did not generate is deleted.
Output is deterministic: same inputs, same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTENT = REPO_ROOT / "content"
PAPERS = CONTENT / "papers"

DEFAULT_README = "../shared/data/awesome-kd/README.md"
DEFAULT_SEED = "../shared/seed/000_443ac2c49f73788e.txt"
# Semantic Scholar's record of Turing's 1950 paper with 1000 citing papers (a copy of
# ../shared/data/semantic-scholar/Paper.json), imported with `citehub import s2`.
DEFAULT_TURING = "tests/fixtures/import/semantic-scholar/Paper.json"
# Athar's Citation Sentiment Corpus (ACL 2011) and the ACL Anthology's metadata of its ids.
DEFAULT_SENTIMENT = "../shared/data/citation-sentiment/athar_citation_sentiment_corpus.txt"
DEFAULT_ACL = "../shared/data/acl-anthology/acl_metadata.json"
# The corpus's most cited papers: BLEU (Papineni et al. 2002, 305 citing papers) and the IBM
# models (Brown et al. 1993, 368), each a hub whose citations carry their real polarity.
SENTIMENT_CITED = ("P02-1040", "J93-2003")
# The corpus's labels, as our polarities: positive supports, negative contrasts.
SENTIMENT_POLARITY = {"p": "support", "n": "contrast", "o": "background"}
# A paper whose sentences disagree takes the label most of them carry; a tie goes to the
# rarer, more telling label (negative, then positive).
SENTIMENT_TIES = ("n", "p", "o")
# citehub's limit on a front matter value; the corpus has one "sentence" (a page of a paper's
# text run together) beyond it, cut at a word with an ellipsis.
MAX_CONTEXT = 2000
MONTHS = {name: number for number, name in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"), start=1)}
ACL_TYPES = {"inproceedings": "conference-paper", "article": "article", "book": "book",
             "proceedings": "book", "incollection": "chapter"}

SURVEY_ID = "2402.13116"
SURVEY = {
    "title": "A Survey on Knowledge Distillation of Large Language Models",
    "authors": [
        "Xiaohan Xu", "Ming Li", "Chongyang Tao", "Tao Shen", "Reynold Cheng",
        "Jinyang Li", "Can Xu", "Dacheng Tao", "Tianyi Zhou",
    ],
    "date": "2024-02-20",
    "categories": ["cs.CL"],
    "venue": "arXiv",
    "links": {
        "arxiv": SURVEY_ID,
        "code": "https://github.com/Tebmer/Awesome-Knowledge-Distillation-of-LLMs",
    },
    "summary": (
        "A survey of knowledge distillation for large language models, organised around "
        "algorithms, skills and verticalization, that casts data augmentation as the engine "
        "letting open-source students approach proprietary teachers."
    ),
}

HUB_YAML = """\
title: citehub demo — real citation hubs
description: A demo hub around the survey on knowledge distillation of large language models,
  the works it lists and the papers that cite it; Turing's 1950 "Computing Machinery and
  Intelligence" with 1000 of its citing papers, as Semantic Scholar lists them; and BLEU and
  the IBM translation models with every citation of them in Athar's Citation Sentiment Corpus,
  each with its sentences and its real polarity.
base_url: https://example.github.io/kd-hub/
# No repo_url: the deploy workflow gives the repository it runs in (citehub build --repo-url).
warnings:
  # Neither the awesome list nor Semantic Scholar's paper record says how a work is used, and
  # many have no abstract: say so once here instead of some 1,600 times on every build.
  no-abstract: ignore
  unclassified: ignore
"""

# Sections (any heading level) whose tables are not references of the survey.
EXCLUDED_SECTIONS = {"Encoder-based KD"}
PAPER_TABLE_HEADER = ["title", "venue", "date", "code", "data"]
TITLE_CONFLICT_JACCARD = 0.25
SLUG_MAX = 60
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
KEY_ORDER = ["title", "authors", "date", "type", "categories", "venue", "pages", "publisher",
             "links", "verdict", "novelty", "summary", "cites"]
CITE_KEY_ORDER = ["paper", "role", "polarity", "refs", "context"]

ARXIV_URL_RE = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$"
)
MD_LINK_RE = re.compile(r"\[([^\]]*)\]\(\s*([^)]*?)\s*\)")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
DATE_YM_RE = re.compile(r"^\d{4}-\d{2}$")


def warn(msg: str) -> None:
    print(f"make_demo: {msg}", file=sys.stderr)


# --------------------------------------------------------------------------- text helpers

def clean_title(raw: str) -> str:
    t = raw.strip()
    t = t.replace("**", "").replace("__", "")
    t = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", t)  # Markdown backslash escapes: \% -> %
    return re.sub(r"\s+", " ", t).strip()


def norm_title(title: str) -> str:
    t = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", t))


def title_words(title: str) -> set[str]:
    return set(norm_title(title).split())


def jaccard(a: str, b: str) -> float:
    wa, wb = title_words(a), title_words(b)
    return len(wa & wb) / len(wa | wb) if wa | wb else 1.0


def slugify(title: str) -> str:
    words = norm_title(title).split()
    slug = ""
    for w in words:
        cand = f"{slug}-{w}" if slug else w
        if len(cand) > SLUG_MAX:
            break
        slug = cand
    if not slug and words:
        slug = words[0][:SLUG_MAX]
    return slug or "paper"


def clean_url(url: str) -> str:
    return re.sub(r"\s+", "", url)


def is_http(url: str) -> bool:
    return bool(re.match(r"^https?://\S+$", url, re.I))


# --------------------------------------------------------------------------- README parsing

@dataclass
class Row:
    line: int
    title: str
    url: str
    venue: str
    date: str
    code: str | None
    data: str | None
    section: str


@dataclass
class Paper:
    key: str                      # dedupe key ("arxiv:<id>" or "title:<norm>")
    title: str
    arxiv: str | None
    url: str | None
    venue: str | None
    date: str | None
    code: str | None
    data: str | None
    sections: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    first_line: int = 0
    id: str = ""


def split_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def parse_row(cells: list[str], line: int, section: str, problems: list[str]) -> Row | None:
    cells = cells + [""] * (5 - len(cells))
    title_cell, venue, date = cells[0], cells[1], cells[2]
    rest = " | ".join(cells[3:])
    url = ""
    m = re.fullmatch(r"\[(.*)\]\(\s*([^)]*?)\s*\)", title_cell)
    if m:
        title, url = clean_title(m.group(1)), clean_url(m.group(2))
    else:
        title = clean_title(title_cell)
    if not title:
        problems.append(f"README line {line}: row without a title, ignored")
        return None
    date = date.strip()
    if not DATE_YM_RE.match(date):
        problems.append(f"README line {line}: date {date!r} is not YYYY-MM, left out")
        date = ""
    code = data = None
    for label, link in MD_LINK_RE.findall(rest):
        link = clean_url(link)
        kind = label.strip().lower()
        if not is_http(link):
            problems.append(f"README line {line}: non-http {label} link {link!r} dropped")
            continue
        if kind in ("github", "code") and code is None:
            code = link
        elif kind in ("data", "dataset") and data is None:
            data = link
    return Row(line, title, url, venue.strip(), date, code, data, section)


def parse_readme(text: str, problems: list[str]) -> list[Row]:
    rows: list[Row] = []
    h2 = h3 = h4 = ""
    lines = text.splitlines()
    i = 0
    in_code = False
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            in_code = not in_code
            i += 1
            continue
        if in_code:
            i += 1
            continue
        hm = HEADING_RE.match(line)
        if hm:
            level, text_ = len(hm.group(1)), hm.group(2).strip()
            if level <= 2:
                h2, h3, h4 = text_, "", ""
            elif level == 3:
                h3, h4 = text_, ""
            elif level == 4:
                h4 = text_
            i += 1
            continue
        if not line.lstrip().startswith("|"):
            i += 1
            continue
        # A table: header, separator, body rows (until a line not starting with "|").
        header = [c.lower() for c in split_cells(line)]
        start = i
        i += 1
        body: list[tuple[int, str]] = []
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            body.append((i + 1, lines[i]))
            i += 1
        if header != PAPER_TABLE_HEADER:
            continue  # not a paper table (e.g. "Role | Description | Trend")
        if {h2, h3, h4} & EXCLUDED_SECTIONS:
            problems.append(
                f"README line {start + 1}: table under '{h2}' skipped "
                f"({len(body) - 1} rows; the README says it is not part of the survey)")
            continue
        section = h4 or h3 or h2
        for lineno, raw in body:
            cells = split_cells(raw)
            if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
                continue  # separator row
            row = parse_row(cells, lineno, section, problems)
            if row:
                rows.append(row)
    return rows


def arxiv_id(url: str) -> str | None:
    m = ARXIV_URL_RE.match(url)
    return m.group("id") if m else None


def collect_papers(rows: list[Row], problems: list[str]) -> list[Paper]:
    papers: dict[str, Paper] = {}
    by_title: dict[str, str] = {}
    for row in rows:
        aid = arxiv_id(row.url) if row.url else None
        if aid == SURVEY_ID:
            continue
        nt = norm_title(row.title)
        key = None
        link_ok = True
        if aid and f"arxiv:{aid}" in papers:
            other = papers[f"arxiv:{aid}"]
            if jaccard(other.title, row.title) < TITLE_CONFLICT_JACCARD:
                problems.append(
                    f"README line {row.line}: arXiv {aid} is listed for both "
                    f"'{other.title}' and '{row.title}'; the latter is kept as a separate "
                    f"paper without the arXiv link")
                aid = None
                link_ok = False
            else:
                key = f"arxiv:{aid}"
        if key is None and nt in by_title:
            key = by_title[nt]
            if aid and papers[key].arxiv and papers[key].arxiv != aid:
                key = None  # same title, different arXiv papers: keep both
        if key is None:
            key = f"arxiv:{aid}" if aid else f"title:{nt}"
            if key in papers:  # title key taken by an arXiv-less conflict row
                n = 2
                while f"{key}#{n}" in papers:
                    n += 1
                key = f"{key}#{n}"
            url = row.url if link_ok and row.url and not aid and is_http(row.url) else None
            if link_ok and row.url and not aid and not url:
                problems.append(f"README line {row.line}: non-http title link dropped")
            papers[key] = Paper(key, row.title, aid, url, None, None, None, None,
                                first_line=row.line)
            by_title.setdefault(nt, key)
        p = papers[key]
        by_title.setdefault(nt, key)
        if norm_title(p.title) != nt and row.title not in p.variants:
            p.variants.append(row.title)
            problems.append(f"README line {row.line}: '{row.title}' merged into "
                            f"'{p.title}' ({p.arxiv or 'same title'}); first title kept")
        if p.venue is None and row.venue and row.venue != "-":
            p.venue = row.venue
        if p.date is None and row.date:
            p.date = row.date
        p.code = p.code or row.code
        p.data = p.data or row.data
        if row.section not in p.sections:
            p.sections.append(row.section)
    return list(papers.values())


def assign_ids(papers: list[Paper], taken: set[str]) -> None:
    for p in sorted(papers, key=lambda p: p.first_line):
        base = p.arxiv.replace("/", "-") if p.arxiv else slugify(p.title)
        pid, n = base, 2
        while pid in taken:
            pid = f"{base}-{n}"
            n += 1
        assert ID_RE.match(pid), pid
        taken.add(pid)
        p.id = pid


# --------------------------------------------------------------------------- seed parsing

def seed_abstract(text: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().lower() == "abstract":
            para: list[str] = []
            for nxt in lines[i + 1:]:
                if nxt.strip():
                    para.append(nxt.strip())
                elif para:
                    break
            if para:
                return " ".join(para)
    raise SystemExit("make_demo: no abstract paragraph found in the seed")


META_RE = re.compile(r"^(?P<cat>[^·]+?) · (?P<date>\d{4}(?:-\d{2}){0,2}) · (?P<rest>.+)$")


def seed_citing(text: str) -> list[dict]:
    lines = [line.strip() for line in text.splitlines()]
    try:
        start = lines.index("representative citing papers") + 1
    except ValueError:
        raise SystemExit(
            "make_demo: no 'representative citing papers' section in the seed") from None
    end = next((j for j in range(start, len(lines))
                if lines[j].startswith("citing papers explorer")), len(lines))
    block = [line for line in lines[start:end] if line]
    out = []
    for j, line in enumerate(block):
        m = META_RE.match(line)
        if not m or j == 0 or j + 1 >= len(block):
            continue
        verdict = novelty = refs = None
        extra = []
        for part in (x.strip() for x in m.group("rest").split("·")):
            if mm := re.fullmatch(r"novelty\s+(\d+(?:\.\d+)?)", part):
                novelty = float(mm.group(1))
            elif mm := re.fullmatch(r"(\d+)\s+refs?", part):
                refs = int(mm.group(1))
            elif verdict is None:
                verdict = part
            else:
                extra.append(part)
        if extra:
            warn(f"seed: unrecognised metadata {extra!r} for '{block[j - 1]}'")
        out.append({"title": block[j - 1], "date": m.group("date"),
                    "category": m.group("cat").strip(), "verdict": verdict,
                    "novelty": novelty, "refs": refs, "summary": block[j + 1]})
    if not out:
        raise SystemExit("make_demo: no citing papers parsed from the seed")
    return out


# --------------------------------------------------------------------------- YAML output

class Raw(str):
    """A scalar written as its plain source text (dates: ``2024-02-20``, not quoted)."""


class Quoted(str):
    """A scalar always written in double quotes (ids: ``paper: "2306.08543"``)."""


class Flow(list):
    """A short list written inline (``categories: [cs.CL]``)."""


class Dumper(yaml.SafeDumper):
    pass


def _represent_raw(dumper: yaml.SafeDumper, data: Raw) -> yaml.Node:
    value = str(data)
    tag = dumper.resolve(yaml.ScalarNode, value, (True, False))
    return dumper.represent_scalar(tag, value)


Dumper.add_representer(Raw, _represent_raw)
Dumper.add_representer(
    Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))
Dumper.add_representer(
    Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", list(v), flow_style=True))


def dump_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def ordered(d: dict, order: list[str]) -> dict:
    unknown = set(d) - set(order)
    assert not unknown, unknown
    return {k: d[k] for k in order if k in d and d[k] is not None}


def paper_file(meta: dict, body: str = "") -> str:
    if meta.get("date") is not None:
        meta["date"] = Raw(meta["date"])
    for key in ("authors", "categories"):
        if meta.get(key) is not None:
            meta[key] = Flow(meta[key])
    if meta.get("links") and "arxiv" in meta["links"]:
        meta["links"] = {**meta["links"], "arxiv": Quoted(meta["links"]["arxiv"])}
    if meta.get("cites") is not None:
        meta["cites"] = [ordered({**c, "paper": Quoted(c["paper"])}, CITE_KEY_ORDER)
                         for c in meta["cites"]]
    text = "---\n" + dump_yaml(ordered(meta, KEY_ORDER)) + "---\n"
    if body.strip():
        text += body.strip() + "\n"
    return text


def reference_meta(p: Paper) -> dict:
    links: dict[str, str] = {}
    if p.arxiv:
        links["arxiv"] = p.arxiv
    elif p.url:
        path = p.url.split("?", 1)[0].split("#", 1)[0]
        links["pdf" if path.lower().endswith(".pdf") else "url"] = p.url
    if p.code:
        links["code"] = p.code
    if p.data:
        links["data"] = p.data
    return {"title": p.title, "date": p.date, "venue": p.venue, "links": links or None}


# --------------------------------------------------------------------------- main

def resolve(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else (REPO_ROOT / p).resolve()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("readme", nargs="?", default=DEFAULT_README,
                    help=f"Awesome-KD README (default {DEFAULT_README}, relative to the repo)")
    ap.add_argument("--seed", default=DEFAULT_SEED,
                    help=f"seed hub page text (default {DEFAULT_SEED}, relative to the repo)")
    ap.add_argument("--turing", default=DEFAULT_TURING,
                    help=f"Semantic Scholar paper record (default {DEFAULT_TURING})")
    ap.add_argument("--sentiment", default=DEFAULT_SENTIMENT,
                    help=f"Athar's citation sentiment corpus (default {DEFAULT_SENTIMENT})")
    ap.add_argument("--acl", default=DEFAULT_ACL,
                    help=f"ACL Anthology metadata of its ids (default {DEFAULT_ACL})")
    args = ap.parse_args(argv)

    readme_text = resolve(args.readme).read_text(encoding="utf-8")
    seed_text = resolve(args.seed).read_text(encoding="utf-8")

    problems: list[str] = []
    rows = parse_readme(readme_text, problems)
    refs = collect_papers(rows, problems)
    taken = {SURVEY_ID}
    assign_ids(refs, taken)
    citing = seed_citing(seed_text)

    files: dict[str, str] = {}
    for p in refs:
        files[p.id] = paper_file(reference_meta(p))

    survey = dict(SURVEY)
    survey["links"] = dict(SURVEY["links"])
    survey["cites"] = [
        {"paper": p.id, "context": p.sections[0] if len(p.sections) == 1 else list(p.sections)}
        for p in sorted(refs, key=lambda p: p.id)
    ]
    files[SURVEY_ID] = paper_file(survey, seed_abstract(seed_text))

    for c in citing:
        base = slugify(c["title"])
        pid, n = base, 2
        while pid in taken:
            pid = f"{base}-{n}"
            n += 1
        taken.add(pid)
        cite = {"paper": SURVEY_ID, "role": "background", "polarity": "background",
                "refs": c["refs"]}
        files[pid] = paper_file({
            "title": c["title"], "date": c["date"], "categories": [c["category"]],
            "verdict": c["verdict"], "novelty": c["novelty"], "summary": c["summary"],
            "cites": [cite],
        })

    files.update(sentiment_files(resolve(args.sentiment), resolve(args.acl), taken))

    for pid in files:
        assert ID_RE.match(pid), pid

    PAPERS.mkdir(parents=True, exist_ok=True)
    for old in sorted(PAPERS.glob("*.md")):
        if old.stem not in files:
            old.unlink()
    for pid in sorted(files):
        (PAPERS / f"{pid}.md").write_text(files[pid], encoding="utf-8", newline="\n")
    (CONTENT / "hub.yaml").write_text(HUB_YAML, encoding="utf-8", newline="\n")

    for msg in problems:
        warn(msg)
    print(f"wrote {len(files)} papers ({len(refs)} references, {len(citing)} citing)")
    return import_turing(resolve(args.turing))


def sentiment_files(corpus: Path, metadata_path: Path, taken: set[str]) -> dict[str, str]:
    """The hubs of SENTIMENT_CITED: each cited paper and every paper citing it in the corpus,
    with the ACL Anthology's metadata. A citation's contexts are its sentences in the corpus,
    `refs` their number, and its polarity their label (SENTIMENT_POLARITY, SENTIMENT_TIES)."""
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    sentences: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        citing_id, cited_id, label, sentence = line.split("\t", 3)
        if cited_id in SENTIMENT_CITED:
            text = sentence.strip()
            if len(text) >= 2 and text[0] == text[-1] == '"':
                text = text[1:-1]
            text = " ".join(text.split())
            if len(text) > MAX_CONTEXT:
                text = text[:MAX_CONTEXT - 1].rsplit(" ", 1)[0] + "…"
            sentences.setdefault((citing_id, cited_id), []).append((label, text))
    papers: dict[str, dict] = {}
    for paper_id in sorted({paper_id for pair in sentences for paper_id in pair}):
        assert paper_id not in taken, paper_id
        papers[paper_id] = acl_meta(paper_id, metadata[paper_id])
    for (citing_id, cited_id), said in sorted(sentences.items()):
        labels = [label for label, _ in said]
        label = max(SENTIMENT_TIES, key=lambda name: (labels.count(name),
                                                      -SENTIMENT_TIES.index(name)))
        papers[citing_id].setdefault("cites", []).append({
            "paper": cited_id, "polarity": SENTIMENT_POLARITY[label],
            "refs": len(said) if len(said) > 1 else None,
            "context": [text for _, text in said] if len(said) > 1 else said[0][1],
        })
    taken.update(papers)
    return {paper_id: paper_file(meta) for paper_id, meta in papers.items()}


def acl_meta(paper_id: str, record: dict) -> dict:
    """A paper file's front matter from the ACL Anthology's record of it."""
    month = MONTHS.get(record.get("month") or "")
    links = {"doi": record["doi"]} if record.get("doi") else {}
    if record.get("url"):
        links["url"] = record["url"]
    return {
        "title": record["title"], "authors": record.get("authors") or None,
        "date": f"{record['year']}-{month:02d}" if month else str(record["year"]),
        "type": ACL_TYPES.get(record.get("type") or ""), "venue": record.get("venue"),
        "pages": record.get("pages"), "publisher": record.get("publisher"),
        "links": links or None,
    }


def import_turing(record: Path) -> int:
    """The Turing hub, through the importer a user would run (`citehub import s2 FILE`)."""
    sys.path.insert(0, str(REPO_ROOT / "src"))
    from citehub.diagnostics import Diagnostics
    from citehub.importers import read_bibliography
    from citehub.importers.hub import import_into

    diagnostics = Diagnostics()
    outcome = import_into(REPO_ROOT, read_bibliography("s2", record, diagnostics), record,
                          diagnostics)
    for line in diagnostics.formatted():
        warn(line)
    print(f"imported {record.name}: {outcome.summary()}")
    return 1 if diagnostics.has_errors else 0


if __name__ == "__main__":
    sys.exit(main())
