"""Author lists as lists of papers show them: short, so that every entry leads with who
wrote it ("A. Vaswani, N. Shazeer, … +6"). The browser's explorer does the same in
explorer.js (shortAuthor), for the entries it makes from index.json."""

from __future__ import annotations

from citehub.model import Paper

AUTHORS_SHOWN = 3  # in full up to this many; beyond it the first two, then "… +N"


def short_author(name: str) -> str:
    """"Ashish Vaswani" → "A. Vaswani"; "Jean-Pierre Dupont" → "J.-P. Dupont"; particles
    ("van", "de") and one-word names stay as they are."""
    words = name.split()
    if len(words) < 2:
        return name
    *given, family = words
    while given and given[-1][:1].islower():  # "Ludwig van Beethoven": "van" is the family's
        family = f"{given.pop()} {family}"
    initials = ["-".join(part[:1] + "." if part[:1].isalpha() else part
                         for part in word.split("-"))
                if not word.endswith(".") else word
                for word in given]
    return " ".join([*initials, family])


def short_authors(authors: tuple[str, ...]) -> str:
    """Authors as a list shows them: "A. Vaswani, N. Shazeer, … +6"."""
    if len(authors) <= AUTHORS_SHOWN:
        return ", ".join(short_author(name) for name in authors)
    shown = [short_author(name) for name in authors[:AUTHORS_SHOWN - 1]]
    return f"{', '.join(shown)}, … +{len(authors) - len(shown)}"


def byline(paper: Paper) -> str:
    """Who wrote it and where: "A. Vaswani, N. Shazeer, … +6 · NeurIPS", as every list,
    search result and the index's papers.json lead with it (lists add the year)."""
    return " · ".join(part for part in (short_authors(paper.authors), paper.venue) if part)
