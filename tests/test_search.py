"""The search bundle: built from the papers (one record each, with the date and citing count
that results show), deterministic, left out with --no-search."""

from __future__ import annotations

import json

from conftest import Hub


def write_hub(hub: Hub) -> None:
    hub.config("title: Search hub\nbase_url: https://example.org/hub/\n")
    hub.paper("a", "title: Attention Is All You Need\ndate: 2017-06-12", "Transformers.\n")
    hub.paper("b", "title: BERT\ndate: 2018-10-11\ncites:\n  - paper: a", "Encoders.\n")


def test_the_bundle_indexes_every_paper_and_nothing_else(hub: Hub) -> None:
    write_hub(hub)
    assert hub.build().exit_code == 0
    bundle = hub.site / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 2  # two papers; no list pages
    assert (bundle / "pagefind.js").is_file()
    assert not list(bundle.glob("pagefind-ui*"))  # Pagefind's own UIs are not shipped
    search_page = hub.page("search/")
    assert 'data-bundle="/hub/pagefind/pagefind.js"' in search_page
    assert "'wasm-unsafe-eval'" in search_page
    assert "'wasm-unsafe-eval'" not in hub.page("papers/a/")
    assert 'action="/hub/search/"' in hub.page("papers/a/")


def test_no_search_leaves_the_bundle_out_and_keeps_the_page(hub: Hub) -> None:
    write_hub(hub)
    assert hub.build("--no-search").exit_code == 0
    assert not (hub.site / "pagefind").exists()
    assert "search-results" in hub.page("search/")
    # Turning it back on adds the bundle (the option is part of what a rebuild compares).
    assert hub.build().exit_code == 0
    assert (hub.site / "pagefind" / "pagefind.js").is_file()
