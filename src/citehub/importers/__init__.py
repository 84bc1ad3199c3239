"""`citehub import`: papers and citations from the files other tools export, written into
a hub as ordinary paper files.

Each format's module reads a file into a Bibliography (records.py): records of papers and
the citations between them, each with its line in the file. hub.py then matches the records
with the hub's papers, names the new ones and writes them. fetch.py gets the same JSON
from the Semantic Scholar and OpenAlex APIs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from citehub.diagnostics import Diagnostics
from citehub.importers import bibtex, csl, openalex, s2
from citehub.importers.records import Bibliography, SourceError

Reader = Callable[..., Bibliography]
FORMATS: dict[str, Reader] = {
    "s2": s2.read,
    "openalex": openalex.read,
    "bibtex": bibtex.read,
    "csl-json": csl.read,
}


def read_bibliography(format_name: str, path: Path, diagnostics: Diagnostics, *,
                      cited: str | None = None, citing: str | None = None) -> Bibliography:
    """The records and citations in `path`; SourceError when the file cannot be read."""
    return FORMATS[format_name](path, diagnostics, cited=cited, citing=citing)


__all__ = ["FORMATS", "SourceError", "read_bibliography"]
