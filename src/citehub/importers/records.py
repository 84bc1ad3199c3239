"""What every importer reads a file into: records of papers and the citations between them,
each with the line of the file it came from, so that problems point into the file."""

from __future__ import annotations

import datetime
import json
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citehub.diagnostics import Diagnostics

# Characters a paper file refuses (controls, bidirectional overrides): sources have them.
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
NEW_ARXIV = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?\Z")
OLD_ARXIV = re.compile(r"^([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\Z")
ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:\s]\s*|10\.48550/arxiv\.)"
    r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE)
DOI_IN_TEXT = re.compile(r"(10\.\d{4,9}/\S+)")
# The vocabulary's roles for Semantic Scholar's (and others') citation intents.
INTENT_ROLES = {"methodology": "method", "method": "method", "result": "result",
                "results": "result", "background": "background"}


@dataclass
class Count:
    """How many papers cite a record according to its source, on a day."""

    source: str
    count: int
    date: str  # YYYY-MM-DD
    influential: int | None = None


@dataclass
class Record:
    """One paper as a source describes it."""

    key: str  # the source's own id for it, unique within the import
    line: int  # where it is described in the file
    title: str  # with the TeX its source had ({BERT}, $\ell_1$): pages show it without braces
    source_id: str | None = None  # what to name it after when it has no arXiv id or DOI
    authors: list[str] = field(default_factory=list)
    date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    venue: str | None = None
    categories: list[str] = field(default_factory=list)
    arxiv: str | None = None
    doi: str | None = None
    pdf: str | None = None
    url: str | None = None
    summary: str | None = None
    abstract: str = ""
    type: str | None = None  # from validate's PAPER_TYPES
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    institution: str | None = None
    counts: list[Count] = field(default_factory=list)


@dataclass
class Cite:
    """`citing` cites `cited` (record keys, or hub ids for the papers named on the command
    line)."""

    citing: str
    cited: str
    line: int
    role: str | None = None
    contexts: list[str] = field(default_factory=list)
    influential: bool = False


@dataclass
class Bibliography:
    records: dict[str, Record] = field(default_factory=dict)
    cites: list[Cite] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)

    def add(self, record: Record, *, cited: str | None = None,
            citing: str | None = None) -> str:
        """Keep `record` (a second description of the same key fills what the first lacks);
        with `cited` it cites that paper, with `citing` that paper cites it (--cited and
        --citing, for files that name only one end of their citations)."""
        kept = self.records.get(record.key)
        if kept is None:
            self.records[record.key] = record
        else:
            fill(kept, record)
        if cited:
            self.cites.append(Cite(record.key, cited, record.line))
        if citing:
            self.cites.append(Cite(citing, record.key, record.line))
        return record.key


SCALARS = ("source_id", "date", "venue", "arxiv", "doi", "pdf", "url", "summary", "type",
           "volume", "issue", "pages", "publisher", "institution")


def fill(kept: Record, other: Record) -> None:
    """Give `kept` what `other` knows and it does not."""
    for name in SCALARS:
        if getattr(kept, name) is None and getattr(other, name) is not None:
            setattr(kept, name, getattr(other, name))
    for name in ("authors", "categories", "counts"):
        if not getattr(kept, name):
            setattr(kept, name, list(getattr(other, name)))
    if not kept.abstract:
        kept.abstract = other.abstract


def clean(text: object) -> str:
    """Text as one readable line: no control or direction characters, spaces collapsed."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFC", str(text))
    return " ".join(UNPRINTABLE.sub(" ", value).split())


def clean_block(text: object) -> str:
    """Text of several paragraphs (an abstract): lines kept, controls and extra spaces gone."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [" ".join(UNPRINTABLE.sub(" ", part).split())
                  for part in re.split(r"\n\s*\n", value)]
    return "\n\n".join(part for part in paragraphs if part)


def arxiv_id(text: object) -> str | None:
    """The arXiv id in `text` (an id, arXiv:…, an arxiv.org URL or arXiv's DOI), version
    dropped."""
    value = clean(text)
    if not value:
        return None
    for pattern in (NEW_ARXIV, OLD_ARXIV):
        match = pattern.match(value)
        if match:
            return match.group(1)
    match = ARXIV_IN_TEXT.search(value)
    return match.group(1) if match else None


def doi(text: object) -> str | None:
    """The DOI in `text` (bare, doi:…, or a doi.org URL). DOIs ignore case: compare them
    lowered."""
    match = DOI_IN_TEXT.search(clean(text))
    return match.group(1).rstrip(".,;") if match else None


def date_of(year: object, month: object = None, day: object = None) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD from parts that may be missing or malformed."""
    try:
        year_number = int(str(year).strip())
    except ValueError:
        return None
    if not 1000 <= year_number <= 9999:
        return None
    text = f"{year_number:04d}"
    try:
        month_number = int(str(month).strip()) if month not in (None, "") else None
    except ValueError:
        month_number = MONTHS.get(str(month).strip().lower()[:3])
    if month_number is None or not 1 <= month_number <= 12:
        return text
    text += f"-{month_number:02d}"
    try:
        day_number = int(str(day).strip()) if day not in (None, "") else None
    except ValueError:
        day_number = None
    if day_number is not None and 1 <= day_number <= 31:
        text += f"-{day_number:02d}"
    return text


def iso_date(text: object) -> str | None:
    """YYYY[-MM[-DD]] from an ISO date (or datetime) string."""
    match = re.match(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", clean(text))
    return date_of(*match.groups()) if match else None


MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}


def role_of(intents: list[str], contexts_with_intents: list[tuple[str, list[str]]]) -> str | None:
    """One role for a citation a source gives several intents: the intent most of its
    contexts have, the more specific one (method, result, background) on a tie."""
    counts: dict[str, int] = {}
    for _, context_intents in contexts_with_intents:
        for intent in context_intents:
            role = INTENT_ROLES.get(str(intent).lower())
            if role:
                counts[role] = counts.get(role, 0) + 1
    for intent in intents:
        role = INTENT_ROLES.get(str(intent).lower())
        if role:
            counts.setdefault(role, 0)
    if not counts:
        return None
    preference = ("method", "result", "background")
    return max(counts, key=lambda role: (counts[role], -preference.index(role)))


def pages_of(first: object, last: object = None) -> str | None:
    """Pages as a paper file writes them: "433-460", or one page; from a range as sources
    write it ("433--460", or with an en dash) or from its first and last page."""
    text = clean(first)
    if last is not None and clean(last) and clean(last) != text:
        text = f"{text}-{clean(last)}"
    text = re.sub(r"\s*(?:-{1,3}|\u2013|\u2014)\s*", "-", text)
    return text or None


def count_of(value: object) -> int | None:
    """A citation count as a source gives it: a whole number of at least 0 (not a boolean,
    which JSON's true is to Python), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def today() -> str:
    """The day an import reads its counts on (sources give none), as YYYY-MM-DD."""
    return datetime.date.today().isoformat()


def as_dict(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (sources leave out or null fields)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """`value` if it is a JSON array, a text alone as one item (not one item per letter),
    else an empty list: a field that should be a list may be left out, null, or anything."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, str) else []


def texts(value: object) -> list[str]:
    """The texts of a field that should be a list of them, whatever else it holds."""
    return [item for item in as_list(value) if isinstance(item, str)]


def web_url(value: object) -> str | None:
    """`value` if it is an http(s) URL, spaces encoded (sources have them in query strings, a
    paper file refuses them), else None."""
    text = clean(value).replace(" ", "%20")
    return text if re.match(r"^https?://[^/]+", text) else None


class SourceError(Exception):
    """The file cannot be read at all (its problems are in the diagnostics)."""


# Exports of a whole library are a few MB; a larger file is a mistake.
MAX_SOURCE_BYTES = 256 * 1024 * 1024


def read_source(path: Path, diagnostics: Diagnostics) -> str:
    """The text of the file to import; SourceError if it cannot be read (or is no regular
    file: a FIFO would block forever, a device never end)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            diagnostics.error(path, 1, "is not a regular file; refusing to read it")
            raise SourceError(path)
        if info.st_size > MAX_SOURCE_BYTES:
            diagnostics.error(path, 1, f"is {info.st_size / 2**20:.0f} MiB; an import file "
                                       f"may be at most {MAX_SOURCE_BYTES // 2**20} MiB")
            raise SourceError(path)
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        diagnostics.error(path, 1, f"cannot read the file: {reason}")
        raise SourceError(path) from None


def read_json(path: Path, diagnostics: Diagnostics) -> tuple[object, str]:
    """The JSON in `path`, and its text (to find records' lines in); SourceError if none."""
    text = read_source(path, diagnostics)
    try:
        data = json.loads(text)
        # `\ud800` is valid JSON but no text: it could be neither written nor shown.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except json.JSONDecodeError as error:
        diagnostics.error(path, error.lineno, f"not valid JSON: {error.msg}", error.colno)
        raise SourceError(path) from None
    except RecursionError:
        diagnostics.error(path, 1, "not valid JSON here: nested too deeply")
        raise SourceError(path) from None
    except UnicodeEncodeError:
        diagnostics.error(path, 1, "holds a lone surrogate (an escape such as \\ud800 that "
                                   "is half of a character); fix the export")
        raise SourceError(path) from None
    return data, text


def json_objects(path: Path, diagnostics: Diagnostics, *, page_key: str, title_key: str,
                 expected: str, what: str) -> list[tuple[int, dict[str, Any], int]]:
    """The objects of a JSON file that is a list of them, a page of them under `page_key`, or
    one of them: each with its number and the line its id (else its title) is on."""
    data, text = read_json(path, diagnostics)
    items = data.get(page_key) if isinstance(data, dict) and page_key in data else data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        diagnostics.error(path, 1, expected)
        raise SourceError(path)
    ids, titles = lines_of(text, "id"), lines_of(text, title_key)
    found = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            diagnostics.error(path, 1, f"{what} {number} is not an object")
            continue
        line = ids.get(str(item.get("id")), titles.get(str(item.get(title_key)), 1))
        found.append((number, item, line))
    return found


def lines_of(text: str, key: str) -> dict[str, int]:
    """The line of the first `"key": "value"` in `text`, for every value: JSON parsers keep
    no positions, and records are named by an id like this."""
    found: dict[str, int] = {}
    line, counted = 1, 0
    for match in re.finditer(rf'"{re.escape(key)}"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        found.setdefault(match.group(1), line)
    return found
