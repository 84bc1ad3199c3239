"""Rendered pages, parsed as HTML and asserted on what a reader sees."""

from __future__ import annotations

import json

import feedparser
import pytest

from citehub.authors import short_authors
from citehub.charts import year_chart

from conftest import Hub
from pages_helpers import entry_titles, html_pages, links_of, section, soup, text_of
from seed_hub import REPRESENTATIVE, SURVEY_ID, SURVEY_TITLE, write_seed_hub

BASE = "/kd-hub/"


@pytest.fixture
def seed(hub: Hub) -> Hub:
    write_seed_hub(hub)
    result = hub.build()
    assert result.exit_code == 0, result.stderr
    return hub


def test_hub_page_shows_metadata_kind_and_counts(seed: Hub) -> None:
    page = soup(seed.page(f"papers/{SURVEY_ID}/"))
    assert text_of(page.h1) == SURVEY_TITLE
    assert text_of(page.select_one(".hub-header .badge")) == "Canonical reference"
    assert "Xiaohan Xu, Ming Li, Chongyang Tao" in text_of(page.select_one(".hub-header"))
    assert "2024-02-20 · arXiv · cs.CL · unverdicted" in text_of(page.select_one(".hub-header"))
    arxiv = page.select_one("a.link-arxiv")
    assert arxiv is not None and arxiv["href"] == f"https://arxiv.org/abs/{SURVEY_ID}"
    counts = text_of(page.select_one(".hub-header .counts"))
    assert "36 citing papers in this hub" in counts
    assert "6 classified citations, most often cited as background (83%)" in counts
    assert page.title is not None and text_of(page.title).startswith(SURVEY_TITLE)


def test_hub_page_summaries_link_to_filter_pages(seed: Hub) -> None:
    page = soup(seed.page(f"papers/{SURVEY_ID}/"))
    summaries = section(page, "summaries")
    years = summaries.select_one(".year-chart")
    assert years is not None
    assert [text_of(value) for value in years.select(".year-value")] == ["8", "28"]
    links = {text_of(a.select_one(".year-label")): a["href"] for a in years.select("a.year-bar")}
    assert links == {"2025": f"{BASE}papers/{SURVEY_ID}/year/2025/",
                     "2026": f"{BASE}papers/{SURVEY_ID}/year/2026/"}
    # Each bar says its year, its count and its polarities, to a screen reader and on hover.
    spoken = [text_of(a.select_one(".visually-hidden")) for a in years.select("a.year-bar")]
    assert spoken[0] == "2025: 8 citing papers"
    assert spoken[1].startswith("2026: 28 citing papers (")
    polarities, roles = summaries.select(".distribution")
    assert text_of(roles.select_one(".legend")) == "Background 6 100%"
    assert text_of(polarities.select_one(".legend")) == (
        "cited as background 5 83% supports 1 17%")
    assert {text_of(a.select_one(".bar-label")): a["href"]
            for a in polarities.select(".legend a")} == {
        "cited as background": f"{BASE}papers/{SURVEY_ID}/polarity/background/",
        "supports": f"{BASE}papers/{SURVEY_ID}/polarity/support/",
    }
    assert roles.select_one(".legend a")["href"] == f"{BASE}papers/{SURVEY_ID}/role/background/"
    # The bars are drawn to scale at build time: 5 of 6 and 1 of 6 of the polarity bar.
    widths = [float(rect["width"]) for rect in polarities.select("rect")]
    assert widths == [83.333, 16.667]


def test_year_chart_shows_every_year_between_first_and_last(hub: Hub) -> None:
    hub.paper("target", "title: Target")
    for index, year in enumerate([2019, 2019, 2022]):
        hub.paper(f"c{index}", f"title: C{index}\ndate: {year}\ncites: [{{paper: target}}]")
    assert hub.build().exit_code == 0
    chart = soup(hub.page("papers/target/")).select_one(".year-chart")
    assert chart is not None
    assert [text_of(label) for label in chart.select(".year-label")] == [
        "2019", "2020", "2021", "2022"]
    assert [text_of(value) for value in chart.select(".year-value")] == ["2", "0", "0", "1"]
    heights = [sum(float(rect["height"]) for rect in bar.select("rect"))
               for bar in chart.select(".year-bar")]
    assert heights == [100, 0, 0, 50]
    # The years between are gaps, honestly: nothing to link to.
    assert [bar.name for bar in chart.select(".year-bar")] == ["a", "span", "span", "a"]


def test_representative_papers_show_category_date_verdict_novelty_summary_refs(seed: Hub) -> None:
    page = soup(seed.page(f"papers/{SURVEY_ID}/"))
    representative = section(page, "representative")
    assert entry_titles(representative) == [row[1] for row in REPRESENTATIVE]
    assert text_of(representative.h2) == "Most novel citing papers"
    assert "highest novelty score" in text_of(representative.select_one(".note"))
    metas = [text_of(meta) for meta in representative.select(".entry .meta")]
    assert metas[0] == "cs.LG · unverdicted · novelty 7.0"
    assert metas[4] == "cs.LG · unverdicted · novelty 6.0 · 2 mentions"
    bylines = [text_of(byline) for byline in representative.select(".entry .byline")]
    assert bylines[0] == "2026"  # the seed gives no authors or venue
    summaries = [text_of(summary) for summary in representative.select(".entry .summary")]
    assert summaries[0].startswith("KAT detects persistent low-KL agreement traps")


def test_hub_page_lists_every_citing_paper_newest_first(seed: Hub) -> None:
    page = soup(seed.page(f"papers/{SURVEY_ID}/"))
    citing = section(page, "citing")
    titles = entry_titles(citing)
    assert len(titles) == 36
    assert titles[0] == "Escaping the KL Agreement Trap in On-Policy Distillation"
    assert "36 papers, newest first." in text_of(citing)


def test_citing_paper_page_lists_its_references(seed: Hub) -> None:
    page = soup(seed.page("papers/2605.44444/"))
    references = section(page, "references")
    assert entry_titles(references) == [SURVEY_TITLE]
    assert "role Background" in text_of(references)
    # The survey's own filter pages exist, so the citation's tags link to them.
    tag = references.select_one("a.tag-role")
    assert tag is not None and tag["href"] == f"{BASE}papers/{SURVEY_ID}/role/background/"


def test_filter_pages_list_the_right_papers(seed: Hub) -> None:
    role = soup(seed.page(f"papers/{SURVEY_ID}/role/background/"))
    assert len(entry_titles(role)) == 6
    assert "6 of 36 citing papers" in text_of(role)
    support = soup(seed.page(f"papers/{SURVEY_ID}/polarity/support/"))
    assert entry_titles(support) == ["Filler citing paper 0"]
    year = soup(seed.page(f"papers/{SURVEY_ID}/year/2025/"))
    assert len(entry_titles(year)) == 8
    assert [text_of(byline).split(" · ")[-1] for byline in year.select(".entry .byline")] == [
        "2025"] * 8


def test_hubs_below_the_threshold_get_no_filter_pages(seed: Hub) -> None:
    # The filler papers are cited by nobody; the survey's hub has 36 citing papers.
    assert not (seed.site / "papers" / "2605.44444" / "role").exists()
    assert (seed.site / "papers" / SURVEY_ID / "role" / "background" / "index.html").exists()
    assert not (seed.site / "papers" / SURVEY_ID / "role" / "method").exists()


def test_small_hub_links_its_terms_to_its_own_list_filtered_by_the_explorer(hub: Hub) -> None:
    hub.config("filter_pages_min_citing: 3")
    hub.paper("target", "title: Target")
    for index in range(2):
        hub.paper(f"c{index}", f"title: C{index}\ndate: 2024\n"
                               "cites: [{paper: target, role: method}]")
    assert hub.build().exit_code == 0
    page = soup(hub.page("papers/target/"))
    explorer_links = {a["href"] for a in section(page, "summaries").select("a")}
    assert explorer_links == {"/papers/target/?role=method#citing",
                              "/papers/target/?year=2024#citing"}
    assert {a["href"] for a in page.select("a.tag-role")} == {"/papers/target/?role=method#citing"}
    assert not (hub.site / "papers" / "target" / "role").exists()


def test_by_default_only_hubs_longer_than_one_page_get_filter_pages(hub: Hub) -> None:
    """A list that fits on the hub page is shown whole there: filter pages would repeat it."""
    hub.config("paginate: 3")
    hub.paper("long", "title: Long")
    hub.paper("short", "title: Short")
    for index in range(4):
        cited = "[{paper: long, role: method}, {paper: short, role: method}]" if index < 3 \
            else "[{paper: long, role: method}]"
        hub.paper(f"c{index}", f"title: C{index}\ndate: 2024\ncites: {cited}")
    assert hub.build().exit_code == 0
    assert (hub.site / "papers" / "long" / "role" / "method" / "index.html").exists()
    assert (hub.site / "papers" / "long" / "role" / "method" / "page" / "2" / "index.html").exists()
    assert (hub.site / "papers" / "long" / "year" / "2024" / "index.html").exists()
    assert not (hub.site / "papers" / "short" / "role").exists()
    assert not (hub.site / "papers" / "short" / "year").exists()
    references = section(soup(hub.page("papers/c0/")), "references")
    assert [a["href"] for a in references.select("a.tag-role")] == [
        "/papers/long/role/method/", "/papers/short/?role=method#citing"]


def test_site_wide_role_and_year_pages(seed: Hub) -> None:
    roles = soup(seed.page("roles/"))
    assert "Background 6" in text_of(roles)
    background = soup(seed.page("roles/background/"))
    assert len(entry_titles(background)) == 6
    assert all(text_of(cites) == f"cites {SURVEY_TITLE}" for cites in background.select(".cites"))
    years = soup(seed.page("years/"))
    assert "2026 28" in text_of(years) and "2024 1" in text_of(years)
    assert len(entry_titles(soup(seed.page("years/2025/")))) == 8


def test_site_wide_polarity_pages(seed: Hub) -> None:
    polarities = soup(seed.page("polarities/"))
    assert "cited as background 5" in text_of(polarities)
    assert "supports 1" in text_of(polarities)
    support = soup(seed.page("polarities/support/"))
    assert text_of(support.h1) == "Supporting citations"
    assert entry_titles(support) == ["Filler citing paper 0"]
    assert text_of(support.select_one(".cites")) == f"cites {SURVEY_TITLE}"
    # Each citation shows the other axis, linked to its own site-wide list.
    role = support.select_one("a.tag-role")
    assert role is not None and role["href"] == f"{BASE}roles/background/"
    background = soup(seed.page("roles/background/"))
    links = {a["href"] for a in background.select("a.tag-polarity")}
    assert links == {f"{BASE}polarities/background/", f"{BASE}polarities/support/"}
    nav = [text_of(a) for a in soup(seed.page("")).select(".site-header nav a")]
    assert "Polarities" in nav


def test_index_lists_most_cited_first_with_totals(seed: Hub) -> None:
    page = soup(seed.page(""))
    titles = entry_titles(page)
    assert titles[0] == SURVEY_TITLE
    assert len(titles) == 37
    assert "37 papers · 36 citations · 6 classified" in text_of(page)


def test_abstract_markdown_is_rendered_and_raw_html_is_shown_as_text(hub: Hub) -> None:
    hub.paper("p", "title: P", "Uses *emphasis* and <script>alert(1)</script> and "
                               "[a link](https://example.org) and [bad](javascript:alert(1)).\n\n"
                               "# A heading\n")
    assert hub.build().exit_code == 0
    html = hub.page("papers/p/")
    abstract = section(soup(html), "abstract")
    assert abstract.find("em") is not None
    assert abstract.find("script") is None
    assert "<script>alert(1)</script>" in text_of(abstract)
    link = abstract.find("a", href="https://example.org")
    assert link is not None and link["rel"] == ["nofollow", "ugc", "noopener"]
    assert "javascript:" not in str(abstract.find_all("a"))
    assert abstract.find("h3") is not None and abstract.find("h1") is None


def test_long_lists_are_paginated(hub: Hub) -> None:
    hub.config("paginate: 10")
    hub.paper("target", "title: Target")
    for index in range(25):
        hub.paper(f"c{index:02d}", f"title: C{index:02d}\ndate: 2024-01-{index + 1:02d}\n"
                                   "cites: [{paper: target, role: method}]")
    assert hub.build().exit_code == 0
    first = soup(hub.page("papers/target/"))
    assert len(entry_titles(section(first, "citing"))) == 10
    assert entry_titles(section(first, "citing"))[0] == "C24"
    third = soup(hub.page("papers/target/page/3/"))
    assert entry_titles(third) == [f"C{index:02d}" for index in range(4, -1, -1)]
    assert third.select_one("ol.entries")["start"] == "21"
    assert third.select_one("a[rel=prev]")["href"] == "/papers/target/page/2/"
    role_pages = hub.site / "papers" / "target" / "role" / "method" / "page"
    assert (role_pages / "3" / "index.html").exists()
    assert (hub.site / "page" / "3" / "index.html").exists()  # 26 papers on the index
    assert not (hub.site / "page" / "4").exists()


def test_a_long_list_links_a_window_of_pages_not_every_page(hub: Hub) -> None:
    hub.config("paginate: 1")
    for index in range(12):
        hub.paper(f"p{index:02d}", f"title: P{index:02d}\ndate: 2024-01-{index + 1:02d}")
    assert hub.build().exit_code == 0

    def pager(path: str) -> list[str]:
        items = soup(hub.page(path)).select(".pager li")
        return [text_of(item) for item in items]

    assert pager("") == ["1", "2", "3", "…", "12"]
    assert pager("page/6/") == ["1", "…", "4", "5", "6", "7", "8", "…", "12"]
    assert pager("page/4/") == ["1", "2", "3", "4", "5", "6", "…", "12"]
    assert pager("page/12/") == ["1", "…", "10", "11", "12"]
    current = soup(hub.page("page/6/")).select_one(".pager a[aria-current=page]")
    assert current is not None and current["href"] == "/page/6/"


def test_every_link_carries_the_base_path_and_resolves(seed: Hub) -> None:
    for path in html_pages(seed.site):
        for link in links_of(soup(path.read_text())):
            if link.startswith(("https://", "http://", "#")):
                continue
            assert link.startswith(BASE), f"{path}: {link} escapes the base path"
            location, _, fragment = link.partition("#")
            location = location.partition("?")[0]
            target = seed.site / location[len(BASE):]
            if location.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{path}: broken link {link}"
            if fragment:
                assert soup(target.read_text()).find(id=fragment), f"{path}: no #{fragment}"


def test_root_base_url_links_from_the_root(hub: Hub) -> None:
    hub.paper("p", "title: P")
    assert hub.build().exit_code == 0
    page = soup(hub.page("papers/p/"))
    assert page.select_one("link[rel=stylesheet]")["href"] == "/style.css"
    assert page.select_one("a.brand")["href"] == "/"


def test_base_url_option_overrides_hub_yaml(hub: Hub) -> None:
    hub.config("base_url: https://example.github.io/kd-hub/")
    hub.paper("p", "title: P")
    assert hub.build("--base-url", "https://preview.example.org/pr-7/").exit_code == 0
    page = soup(hub.page("papers/p/"))
    assert page.select_one("link[rel=stylesheet]")["href"] == "/pr-7/style.css"
    assert page.select_one("link[rel=canonical]")["href"] == (
        "https://preview.example.org/pr-7/papers/p/")


def test_repo_url_option_overrides_hub_yaml_for_edit_links(hub: Hub) -> None:
    hub.config("repo_url: https://github.com/example/placeholder")
    hub.paper("p", "title: P")
    assert hub.build("--repo-url", "https://github.com/real/hub/").exit_code == 0
    edit = soup(hub.page("papers/p/")).select_one(".contribute a")
    assert edit is not None
    assert edit["href"] == "https://github.com/real/hub/edit/main/content/papers/p.md"
    assert hub.build("--repo-url", "javascript:alert(1)").exit_code == 2


def test_favicon_and_assets_live_under_the_base_path(seed: Hub) -> None:
    page = soup(seed.page(""))
    assert page.select_one("link[rel=icon]")["href"] == f"{BASE}favicon.svg"
    assert (seed.site / "favicon.svg").is_file() and (seed.site / "style.css").is_file()


def test_github_pages_files(seed: Hub) -> None:
    assert (seed.site / ".nojekyll").read_bytes() == b""
    robots = (seed.site / "robots.txt").read_text()
    assert "Sitemap: https://example.github.io/kd-hub/sitemap.xml" in robots
    sitemap = (seed.site / "sitemap.xml").read_text()
    assert f"<loc>https://example.github.io/kd-hub/papers/{SURVEY_ID}/</loc>" in sitemap
    assert "404.html" not in sitemap
    not_found = soup(seed.page("404.html"))
    assert text_of(not_found.h1) == "Page not found"
    assert not_found.select_one("link[rel=stylesheet]")["href"] == f"{BASE}style.css"


def test_feed_is_valid_atom_with_the_newest_papers(seed: Hub) -> None:
    feed = feedparser.parse((seed.site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Seed hub"
    assert feed.entries[0].title == "Escaping the KL Agreement Trap in On-Policy Distillation"
    assert feed.entries[0].link == "https://example.github.io/kd-hub/papers/2606.01234/"
    assert feed.entries[0].updated == "2026-06-08T00:00:00Z"


def test_hub_templates_and_static_files_override_the_theme_file_by_file(hub: Hub) -> None:
    hub.paper("p", "title: P")
    hub.file("templates/404.html", """
        {% extends "base.html" %}
        {% block main %}<h1>Lost in the hub</h1>{% endblock %}
    """)
    hub.file("static/style.css", "body { color: red; }\n")
    hub.file("static/img/logo.txt", "logo\n")
    assert hub.build().exit_code == 0
    assert text_of(soup(hub.page("404.html")).h1) == "Lost in the hub"
    assert (hub.site / "style.css").read_text() == "body { color: red; }\n"
    assert (hub.site / "img" / "logo.txt").read_text() == "logo\n"
    assert (hub.site / "favicon.svg").is_file()  # not overridden: the theme's
    assert text_of(soup(hub.page("papers/p/")).h1) == "P"


def test_broken_override_template_names_its_file_and_line(hub: Hub) -> None:
    hub.paper("p", "title: P")
    hub.file("templates/404.html", """
        {% extends "base.html" %}
        {% block main %}
        <h1>{{ title }</h1>
        {% endblock %}
    """)
    result = hub.build()
    assert result.exit_code == 1
    assert "templates/404.html:3: error: template syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_static_file_that_would_overwrite_a_page_is_an_error(hub: Hub) -> None:
    hub.paper("p", "title: P")
    hub.file("static/index.html", "<p>mine</p>\n")
    result = hub.build()
    assert result.exit_code == 1
    assert "static/index.html:1: error: static file would overwrite the generated index.html" \
        in result.stderr


@pytest.mark.parametrize(("authors", "shown"), [
    ((), ""),
    (("Ashish Vaswani",), "A. Vaswani"),
    (("Ashish Vaswani", "Noam Shazeer", "Niki Parmar"), "A. Vaswani, N. Shazeer, N. Parmar"),
    (("Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones",
      "Aidan N. Gomez", "Lukasz Kaiser", "Illia Polosukhin"), "A. Vaswani, N. Shazeer, … +6"),
    (("Jean-Pierre Dupont", "Ludwig van Beethoven"), "J.-P. Dupont, L. van Beethoven"),
    (("E. S. Cross", "Plato", "毛泽东"), "E. S. Cross, Plato, 毛泽东"),
])
def test_citing_entries_shorten_authors(authors: tuple[str, ...], shown: str) -> None:
    assert short_authors(authors) == shown


def test_every_citing_entry_leads_with_authors_venue_and_year(hub: Hub) -> None:
    hub.paper("target", "title: The cited paper\ndate: 2020")
    hub.paper("citing", "title: A citing paper\nauthors: [Ada Lovelace, Charles Babbage, "
                        "Mary Somerville, John Herschel]\nvenue: Nature\ndate: 2021-03\n"
                        "cites:\n  - paper: target\n    role: method\n    polarity: contrast")
    assert hub.build().exit_code == 0
    byline = "A. Lovelace, C. Babbage, … +2 · Nature · 2021"
    for path in ("papers/target/", "roles/method/", "years/2021/", ""):
        entries = soup(hub.page(path)).select(".entry")
        assert byline in [text_of(entry.select_one(".byline")) for entry in entries], path
    tags = soup(hub.page("papers/target/")).select_one("#citing-results .tags")
    assert text_of(tags) == "contrasts role Method"
    assert "polarity-contrast" in tags.select_one(".tag-polarity")["class"]


def test_a_hubs_own_polarity_terms_are_tagged_with_their_label(hub: Hub) -> None:
    hub.config("vocabulary:\n  polarities:\n    support: Agrees\n    refutes: Refutes\n")
    hub.paper("target", "title: The cited paper")
    hub.paper("a", "title: A\ncites:\n  - paper: target\n    polarity: support")
    hub.paper("b", "title: B\ncites:\n  - paper: target\n    polarity: refutes")
    assert hub.build().exit_code == 0
    page = soup(hub.page("papers/target/"))
    assert sorted(text_of(tag) for tag in page.select("#citing-results .tag-polarity")) == [
        "Agrees", "Refutes"]
    # Renamed, "support" is the hub's own term: no colour that says "supports".
    assert not page.select(".segment-support")


def test_hub_page_collapses_the_abstract_and_a_long_reference_list(hub: Hub) -> None:
    words = " ".join(f"word{index}" for index in range(200))
    cites = "".join(f"\n  - paper: r{index}" for index in range(11))
    for index in range(11):
        hub.paper(f"r{index}", f"title: Reference {index}")
    hub.paper("long", f"title: Long\ncites:{cites}", body=f"Start of the abstract {words}")
    assert hub.build().exit_code == 0
    page = soup(hub.page("papers/long/"))
    abstract = page.select_one("section.abstract details")
    assert abstract is not None and not abstract.has_attr("open")
    preview = text_of(abstract.select_one("summary .abstract-preview"))
    assert preview.startswith("Start of the abstract word0") and preview.endswith("…")
    assert len(preview) <= 221
    assert "word199" in text_of(abstract)  # whole once opened
    references = section(page, "references").select_one("details")
    assert references is not None and "Show all 11 references" in text_of(references.summary)
    assert len(references.select(".entry")) == 11


def test_hub_page_counts_say_in_this_hub_and_the_outside_count(hub: Hub) -> None:
    hub.paper("target", "title: The cited paper\ncitation_counts:\n"
                        "  - {source: Semantic Scholar, count: 10059, date: 2026-12-01}")
    hub.paper("a", "title: A\ncites:\n  - paper: target")
    assert hub.build().exit_code == 0
    counts = text_of(soup(hub.page("papers/target/")).select_one(".hub-header .counts"))
    assert "1 citing paper in this hub" in counts
    assert "10,059 according to Semantic Scholar (2026-12-01)" in counts


def test_year_chart_of_a_long_history_labels_round_years_and_stacks_polarities() -> None:
    counts = {year: 1 + year % 3 for year in range(1945, 2025) if year % 7 != 3}
    by_polarity = {1950: {"support": 2}, 1952: {"contrast": 1, "support": 1}}
    polarities = [("support", "supports", "support"), ("contrast", "contrasts", "contrast")]
    chart = year_chart(counts, {year: f"/y/{year}/" for year in counts}, by_polarity, polarities)
    assert chart is not None and len(chart.bars) == 80 and not chart.all_values
    assert [bar.year for bar in chart.bars if bar.labelled] == list(range(1950, 2021, 10))
    gap = next(bar for bar in chart.bars if bar.year == 1949)
    assert (gap.count, gap.url, gap.parts) == (0, None, ())
    both = next(bar for bar in chart.bars if bar.year == 1952)  # 1952 % 3 == 2: three papers
    assert [part.color for part in both.parts] == ["support", "contrast", ""]
    assert both.text == "1952: 3 citing papers (1 supports, 1 contrasts)"
    assert sum(part.height for part in both.parts) == 100  # the peak
    assert [color for color, _ in chart.legend] == ["support", "contrast", ""]


def test_year_chart_of_one_year_is_one_labelled_bar() -> None:
    chart = year_chart({2024: 3}, {2024: "/y/"}, {}, [])
    assert chart is not None and chart.all_values and chart.legend == ()
    (bar,) = chart.bars
    assert bar.labelled and bar.text == "2024: 3 citing papers" and bar.tip == "start"


def test_papers_json_lists_every_paper_as_the_index_does(seed: Hub) -> None:
    data = json.loads(seed.page("papers.json"))
    ids = [paper["id"] for paper in data["papers"]]
    index = soup(seed.page(""))
    assert ids[:len(entry_titles(index))] == [
        a["href"].rstrip("/").rsplit("/", 1)[1] for a in index.select(".entry-title a")]
    survey = data["papers"][0]
    assert survey == {"id": SURVEY_ID, "title": SURVEY_TITLE, "byline":
                      "X. Xu, M. Li, C. Tao · arXiv", "date": "2024-02-20", "year": 2024,
                      "citing": 36, "outside": None, "kind": "Canonical reference"}
    form = index.select_one("form#index-explorer")
    assert form is not None and form["data-json"] == f"{BASE}papers.json"


def test_year_chart_of_a_thousand_years_takes_several_years_a_bar() -> None:
    """A few bytes of dates (1000 and 2026) must not make a thousand bars on every page
    citing them: a long history is shown by round spans, each linking to its range."""
    chart = year_chart({1000: 1, 1003: 2, 2026: 1}, {}, {}, [],
                       lambda first, last: f"?from={first}&to={last}")
    assert chart is not None and chart.span == 20 and len(chart.bars) <= 80
    assert (chart.first, chart.last) == (1000, 2026)
    first = chart.bars[0]
    assert (first.year, first.last_year, first.count, first.url) == (1000, 1019, 3,
                                                                      "?from=1000&to=1019")
    assert first.text == "1000\u20131019: 3 citing papers"
    assert chart.bars[-1].year == 2020 and chart.bars[-1].count == 1
    labels = [bar.year for bar in chart.bars if bar.labelled]
    assert 2 <= len(labels) <= 8 and all(year % 100 == 0 for year in labels)


def test_a_hub_cited_across_a_thousand_years_stays_small(hub: Hub) -> None:
    hub.paper("target", "title: Target")
    for year in (1000, 2026):
        hub.paper(f"c{year}", f"title: C{year}\ndate: {year}\ncites: [{{paper: target}}]")
    assert hub.build().exit_code == 0
    page = hub.page("papers/target/")
    chart = soup(page).select_one(".year-chart")
    assert len(chart.select(".year-bars > li")) <= 80
    assert "1000\u20132026, 20 years a bar" in text_of(chart.figcaption)
    assert chart.select_one("a.year-bar")["href"] == "/papers/target/?from=1000&to=1019#citing"
    assert len(page) < 60_000
