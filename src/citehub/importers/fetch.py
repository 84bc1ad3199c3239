"""`citehub import s2|openalex FILE --fetch ID`: the JSON the importers read, got from the
Semantic Scholar or OpenAlex API and saved as FILE first (a record of what was imported,
which imports again offline). Polite: one request at a time, spaced out, a user agent that
says who asks, and a wait when the API says to slow down."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

S2_API = "https://api.semanticscholar.org/graph/v1"
OPENALEX_API = "https://api.openalex.org"
S2_FIELDS = ("title,authors,year,publicationDate,venue,journal,publicationVenue,externalIds,"
             "abstract,tldr,openAccessPdf,fieldsOfStudy,url,corpusId")
# /citations and /references take the linked paper's fields (no tldr there) and the link's.
S2_LINK_FIELDS = ("contexts,intents,contextsWithIntent,isInfluential,title,authors,year,"
                  "publicationDate,venue,journal,externalIds,abstract,openAccessPdf,"
                  "fieldsOfStudy,url,corpusId")
PAGE_SIZE = {"s2": 1000, "openalex": 200}
MOST = 10_000  # citing papers fetched at most (S2 pages stop there too)
# Seconds between requests: S2's shared unauthenticated pool allows about one per second,
# OpenAlex ten; a server that answers 429 is waited for (Retry-After) and asked again.
SPACING = {"s2": 1.0, "openalex": 0.1}
RETRIES = 5


class FetchError(Exception):
    """The API did not give the paper (not found, refused, unreachable)."""


def user_agent() -> str:
    return f"citehub/{version('citehub')} (static site generator for paper hubs; httpx)"


class Api:
    def __init__(self, source: str, client: httpx.Client,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.source, self.client, self.sleep = source, client, sleep
        self.last = 0.0

    def get(self, url: str, params: dict[str, str | int]) -> Any:
        for attempt in range(RETRIES):
            wait = self.last + SPACING[self.source] - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self.last = time.monotonic()
            try:
                response = self.client.get(url, params=params)
            except httpx.HTTPError as error:
                raise FetchError(f"cannot reach {url}: {error}") from None
            if response.status_code == 429 or response.status_code >= 500:
                self.sleep(_retry_after(response, attempt))
                continue
            if response.status_code == 404:
                raise FetchError(f"{url}: not found")
            if response.status_code != 200:
                raise FetchError(f"{url}: HTTP {response.status_code}: {response.text[:200]}")
            try:
                return response.json()
            except ValueError:
                raise FetchError(f"{url}: the answer is not JSON") from None
        raise FetchError(f"{url}: still refused after {RETRIES} tries (rate limited)")


def _retry_after(response: httpx.Response, attempt: int) -> float:
    try:
        return min(60.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return min(60.0, 2.0 ** attempt)


def fetch(source: str, paper_id: str, client: httpx.Client | None = None,
          sleep: Callable[[float], None] = time.sleep) -> Any:
    """The paper with its citing papers (and, from S2, its references), as the importer of
    `source` reads them."""
    own = client is None
    if client is None:
        headers = {"User-Agent": user_agent()}
        if source == "s2" and os.environ.get("S2_API_KEY"):
            headers["x-api-key"] = os.environ["S2_API_KEY"]
        client = httpx.Client(headers=headers, timeout=30, follow_redirects=True)
    try:
        api = Api(source, client, sleep)
        return _s2(api, paper_id) if source == "s2" else _openalex(api, paper_id)
    finally:
        if own:
            client.close()


def _s2(api: Api, paper_id: str) -> dict[str, Any]:
    url = f"{S2_API}/paper/{quote(paper_id, safe=':')}"
    paper = api.get(url, {"fields": S2_FIELDS})
    if not isinstance(paper, dict):
        raise FetchError(f"{url}: no paper in the answer")
    paper["citations"] = list(_s2_pages(api, f"{url}/citations"))
    paper["references"] = list(_s2_pages(api, f"{url}/references"))
    return paper


def _s2_pages(api: Api, url: str) -> Iterator[Any]:
    offset = 0
    while offset < MOST:
        page = api.get(url, {"fields": S2_LINK_FIELDS, "offset": offset,
                             "limit": min(PAGE_SIZE["s2"], MOST - offset)})
        data = page.get("data") if isinstance(page, dict) else None
        if not isinstance(data, list):
            return
        yield from data
        if not isinstance(page.get("next"), int) or not data:
            return
        offset = page["next"]


def _openalex(api: Api, work_id: str) -> dict[str, Any]:
    url = f"{OPENALEX_API}/works/{quote(work_id, safe=':/')}"
    params: dict[str, str | int] = {}
    if os.environ.get("OPENALEX_MAILTO"):
        params["mailto"] = os.environ["OPENALEX_MAILTO"]  # OpenAlex's "polite pool"
    work = api.get(url, params)
    if not isinstance(work, dict) or not work.get("id"):
        raise FetchError(f"{url}: no work in the answer")
    short_id = str(work["id"]).rsplit("/", 1)[-1]
    citing: list[Any] = []
    cursor: object = "*"
    while isinstance(cursor, str) and cursor and len(citing) < MOST:
        page = api.get(f"{OPENALEX_API}/works", {**params, "filter": f"cites:{short_id}",
                                                 "per-page": PAGE_SIZE["openalex"],
                                                 "cursor": cursor})
        results = page.get("results") if isinstance(page, dict) else None
        if not isinstance(results, list) or not results:
            break
        citing += results
        cursor = (page.get("meta") or {}).get("next_cursor")
    return {"results": [work, *citing]}


def save(data: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
