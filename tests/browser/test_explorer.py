"""The citing papers explorer in Chromium, on the seed-like hub: combined filters give the
right counts, the state lives in the URL, it works by keyboard alone, and without JavaScript
the page stays whole."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Site, SiteServer, WatchedPage, build_site, serve
from conftest import Hub
from seed_hub import SURVEY_ID, write_seed_hub

pytestmark = pytest.mark.browser

HUB = f"papers/{SURVEY_ID}/"
EN_DASH = "\u2013"


def status(page: Page) -> str:
    return page.locator("#explorer-status").inner_text()


def showing(matching: int, total: int = 36, shown: int | None = None) -> str:
    """The explorer's status: how many match, and which of them the page shows."""
    if not matching:
        return f"No citing paper matches these filters ({total} in all)."
    last = min(matching, 100) if shown is None else shown
    span = "1" if last == 1 else f"1{EN_DASH}{last}"
    listed = f"{span} of {matching}"
    if matching == total:
        return f"Showing {listed} citing paper{'s' if total != 1 else ''}."
    return f"Showing {listed} matching ({total} citing papers in all)."


def expect_showing(page: Page, matching: int, total: int = 36) -> None:
    expect(page.locator("#explorer-status")).to_have_text(showing(matching, total))


def titles(page: Page) -> list[str]:
    return page.locator("#citing-results .entry-title a").all_inner_texts()


def years(page: Page, first: int | str, last: int | str) -> None:
    """Type a year range into the explorer, as a reader does: each year, then Enter."""
    for name, value in (("From", first), ("To", last)):
        field = page.get_by_role("spinbutton", name=name)
        field.fill(str(value))
        field.press("Enter")


def box(page: Page, axis: str, label: str):  # type: ignore[no-untyped-def]
    legend = {"role": "Role", "polarity": "Polarity"}[axis]
    return page.locator("fieldset", has_text=legend).get_by_role(
        "checkbox", name=re.compile(rf"^{label}\b"))


@pytest.fixture
def hub_page(seed_server: SiteServer, watched: WatchedPage) -> WatchedPage:
    watched.goto(seed_server.url(HUB))
    expect_showing(watched.page, 36)
    return watched


def test_filtering_by_role_gives_the_classified_papers(hub_page: WatchedPage) -> None:
    page = hub_page.page
    box(page, "role", "Background").check()
    expect_showing(page, 6)
    assert len(titles(page)) == 6
    assert "role=background" in page.url
    hub_page.assert_clean()


def test_filtering_by_year_gives_that_years_papers(hub_page: WatchedPage) -> None:
    page = hub_page.page
    years(page, 2025, 2025)
    expect_showing(page, 8)
    bylines = page.locator("#citing-results .byline").all_inner_texts()
    assert len(bylines) == 8 and all(byline.endswith("2025") for byline in bylines)
    assert "from=2025&to=2025" in page.url
    years(page, 2025, 2026)  # a range: either year
    expect_showing(page, 36)
    years(page, "", 2025)  # an open start
    expect_showing(page, 8)
    hub_page.assert_clean()


def test_role_and_year_and_polarity_combine(hub_page: WatchedPage) -> None:
    page = hub_page.page
    box(page, "role", "Background").check()
    years(page, 2026, 2026)
    expect_showing(page, 6)
    box(page, "polarity", "Support").check()
    expect_showing(page, 1)
    assert titles(page) == ["Filler citing paper 0"]
    years(page, 2025, 2025)
    expect_showing(page, 0)
    expect(page.locator("#citing-results")).to_have_text("No citing paper matches these filters.")
    hub_page.assert_clean()


def test_text_filter_and_sorting(hub_page: WatchedPage) -> None:
    page = hub_page.page
    page.get_by_label("Title or author").fill("on-policy distillation")
    expect_showing(page, 2)
    page.get_by_label("Title or author").fill("")
    page.get_by_label("Sort by").select_option("novelty")
    expect(page.locator("#citing-results .entry-title a").first).to_have_text(
        "Escaping the KL Agreement Trap in On-Policy Distillation")
    novelties = [float(meta.split("novelty ")[1].split(" ")[0])
                 for meta in page.locator("#citing-results .meta").all_inner_texts()]
    assert novelties == sorted(novelties, reverse=True)
    page.get_by_label("Sort by").select_option("refs")
    expect(page.locator("#citing-results .entry-title a").first).to_have_text(
        "Multi-Rollout On-Policy Distillation via Peer Successes and Failures")
    hub_page.assert_clean()


def test_state_in_the_url_round_trips_and_the_back_button_works(
        seed_server: SiteServer, watched: WatchedPage) -> None:
    page = watched.page
    watched.goto(seed_server.url(HUB) + "?role=background&from=2026&to=2026&sort=novelty")
    expect_showing(page, 6)
    expect(box(page, "role", "Background")).to_be_checked()
    expect(page.get_by_role("spinbutton", name="From")).to_have_value("2026")
    expect(page.get_by_role("spinbutton", name="To")).to_have_value("2026")
    expect(page.get_by_label("Sort by")).to_have_value("novelty")
    box(page, "polarity", "Support").check()
    expect_showing(page, 1)
    assert "polarity=support" in page.url
    page.go_back()
    expect_showing(page, 6)
    expect(box(page, "polarity", "Support")).not_to_be_checked()
    page.go_forward()
    expect_showing(page, 1)
    # A shared link opens the same view in a fresh page.
    shared = page.url
    fresh = page.context.new_page()
    fresh.goto(shared)
    expect_showing(fresh, 1)
    fresh.close()
    watched.assert_clean()


def test_clear_filters_restores_the_full_list(hub_page: WatchedPage) -> None:
    page = hub_page.page
    box(page, "role", "Background").check()
    page.get_by_label("Title or author").fill("llamion")
    expect_showing(page, 1)
    page.get_by_role("button", name="Clear filters").click()
    expect_showing(page, 36)
    assert len(titles(page)) == 36
    assert "?" not in page.url
    hub_page.assert_clean()


def test_explorer_works_by_keyboard_alone(hub_page: WatchedPage) -> None:
    page = hub_page.page
    first_box = box(page, "role", "Background")
    # Tab from the top of the page until the first filter has the focus.
    page.keyboard.press("Tab")
    for _ in range(300):
        if first_box.evaluate("node => node === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the role filter cannot be reached with Tab")
    page.keyboard.press("Space")
    expect_showing(page, 6)
    search = page.get_by_label("Title or author")
    for _ in range(20):
        if search.evaluate("node => node === document.activeElement"):
            break
        page.keyboard.press("Tab")
    page.keyboard.type("Llamion")
    expect_showing(page, 1)
    page.keyboard.press("Tab")  # the sort menu
    page.keyboard.press("Tab")  # Clear filters
    page.keyboard.press("Enter")
    expect_showing(page, 36)
    hub_page.assert_clean()


def test_without_javascript_the_static_page_does_the_job(
        seed_server: SiteServer, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(seed_server.url(HUB))
    expect(page.locator("#explorer")).to_be_hidden()
    assert page.locator("#citing-results .entry").count() == 36
    page.locator(".distribution .legend a", has_text="Support").click()
    expect(page.locator("h1")).to_contain_text("as support")
    assert page.locator(".entry").count() == 1
    context.close()


def test_loading_the_hub_page_shifts_no_layout(seed_server: SiteServer,
                                               watched: WatchedPage) -> None:
    page = watched.page
    watched.goto(seed_server.url(HUB))
    watched.settle()
    shift = page.evaluate("""() => new Promise(resolve => {
        let total = 0;
        new PerformanceObserver(list => {
            for (const entry of list.getEntries()) {
                if (!entry.hadRecentInput) total += entry.value;
            }
        }).observe({type: "layout-shift", buffered: true});
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(total)));
    })""")
    assert shift == 0


@pytest.fixture(scope="module")
def unfiltered_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """The seed hub with hub.yaml's defaults: its 36 citing papers fit on one page, so it has
    no filter pages, and its roles, polarities and years link to the explorer instead."""
    hub = Hub(tmp_path_factory.mktemp("unfiltered-hub"))
    write_seed_hub(hub)
    config = hub.root / "content" / "hub.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "filter_pages_min_citing: 5\n", ""), encoding="utf-8")
    site = build_site(hub.root, tmp_path_factory.mktemp("unfiltered-site") / "site")
    assert not (site.root / "papers" / SURVEY_ID / "role").exists()
    yield from serve(site)


def test_on_a_hub_without_filter_pages_a_role_or_year_link_opens_the_filtered_list(
        unfiltered_server: SiteServer, watched: WatchedPage) -> None:
    page = watched.page
    watched.goto(unfiltered_server.url(HUB))
    expect_showing(page, 36)
    # A citation's role chip: the hub's own list, filtered, scrolled to.
    page.locator("#citing-results a.tag-role", has_text="Background").first.click()
    expect_showing(page, 6)
    assert page.url.endswith(f"{HUB}?role=background#citing")
    expect(box(page, "role", "Background")).to_be_checked()
    assert all(chip == "Background" for chip in
               page.locator("#citing-results a.tag-role").all_inner_texts())
    # A year in the chart's legend, from the top of a fresh page.
    watched.goto(unfiltered_server.url(HUB))
    page.locator(".year-bars a", has_text="2025").click()
    expect_showing(page, 8)
    assert page.url.endswith(f"{HUB}?year=2025#citing")
    expect(page.get_by_role("spinbutton", name="From")).to_have_value("2025")
    expect(page.get_by_role("spinbutton", name="To")).to_have_value("2025")
    expect(page.locator("#citing")).to_be_in_viewport()
    watched.assert_clean()


def test_oldest_first_sort(hub_page: WatchedPage) -> None:
    page = hub_page.page
    page.get_by_label("Sort by").select_option("oldest")
    # The status reads the same sorted or not: wait for the list itself.
    expect(page.locator("#citing-results .byline").first).to_have_text(re.compile(r"2025$"))
    expect_showing(page, 36)
    years = [byline.split(" · ")[-1]
             for byline in page.locator("#citing-results .byline").all_inner_texts()]
    assert years[0] == "2025" and years == sorted(years)
    assert "sort=oldest" in page.url
    hub_page.assert_clean()


def test_typing_makes_one_history_entry_that_back_undoes(hub_page: WatchedPage) -> None:
    page = hub_page.page
    box(page, "role", "Background").check()
    expect_showing(page, 6)
    field = page.get_by_label("Title or author")
    field.click()
    page.keyboard.type("llamion")  # one burst of keys
    expect_showing(page, 1)
    assert "q=llamion" in page.url
    page.go_back()  # to before the typing, not to "llamio"
    expect_showing(page, 6)
    expect(field).to_have_value("")
    expect(box(page, "role", "Background")).to_be_checked()
    hub_page.assert_clean()


def test_the_citing_list_is_one_skip_link_away(hub_page: WatchedPage) -> None:
    page = hub_page.page
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to the citing papers")
    page.keyboard.press("Enter")
    assert page.url.endswith("#citing")
    expect(page.locator("#citing")).to_be_in_viewport()
    hub_page.assert_clean()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_the_citation_story_starts_above_the_fold(
        seed_server: SiteServer, browser: Browser, viewport: dict[str, int]) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(seed_server.url(HUB))
    height = viewport["height"]
    for selector in ("h1", ".hub-header .authors", ".hub-header .badge-kind",
                     ".hub-header .kind-sentence", ".hub-header .counts",
                     "#summaries", ".summaries figcaption"):
        box_of = page.locator(selector).first.bounding_box()
        assert box_of is not None, selector
        assert box_of["y"] + box_of["height"] <= height, (selector, box_of)
    # The abstract waits behind a native disclosure, a few lines long until opened.
    abstract = page.locator("section.abstract details")
    expect(abstract).not_to_have_attribute("open", "")
    closed = abstract.bounding_box()
    page.locator("section.abstract summary").click()
    expect(abstract).to_have_attribute("open", "")
    opened = abstract.bounding_box()
    assert closed is not None and opened is not None and opened["height"] > closed["height"]
    context.close()


def test_facet_counts_follow_the_other_filters(hub_page: WatchedPage, seed_site: Site) -> None:
    page = hub_page.page
    citing = json.loads((seed_site.root / "papers" / SURVEY_ID / "index.json").read_text())[
        "citing"]

    def expected(axis: str, term: str, **others: str) -> int:
        return sum(1 for paper in citing if paper[axis] == term
                   and all(paper[key] == value for key, value in others.items()))

    def count(axis: str, label: str) -> str:
        return box(page, axis, label).locator("xpath=..").locator(".num").inner_text()

    assert count("polarity", "Support") == str(expected("polarity", "support"))
    box(page, "role", "Background").check()
    expect_showing(page, 6)
    # With role Background, each polarity says how many background citations it has.
    for term, label in (("background", "Background"), ("support", "Support")):
        assert count("polarity", label) == str(expected("polarity", term, role="background"))
    years(page, 2025, 2025)
    expect_showing(page, 0)
    # No citation of 2025 has a role: every option would show nothing, so none can be picked.
    expect(box(page, "polarity", "Support")).to_be_disabled()
    assert count("polarity", "Support") == "0"
    page.get_by_role("button", name="Clear filters").click()
    expect_showing(page, 36)
    expect(box(page, "polarity", "Support")).to_be_enabled()
    assert count("polarity", "Support") == str(expected("polarity", "support"))
    hub_page.assert_clean()


@pytest.fixture(scope="module")
def built_in_named_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """A hub whose own terms are named like JavaScript's built-ins: valid ids."""
    hub = Hub(tmp_path_factory.mktemp("built-in-named-hub"))
    hub.config("title: Hub\nvocabulary:\n  polarities: {constructor: C, toString: T}\n"
               "  roles: {hasOwnProperty: H, valueOf: V}\n")
    hub.paper("t", "title: Target\ndate: 2020")
    for number, (role, polarity) in enumerate([("hasOwnProperty", "constructor"),
                                               ("valueOf", "toString"),
                                               ("valueOf", "constructor")]):
        hub.paper(f"c{number}", f"title: C{number}\ndate: 202{number}\ncites:\n  - paper: t\n"
                                f"    role: {role}\n    polarity: {polarity}")
    yield from serve(build_site(hub.root, tmp_path_factory.mktemp("built-in-named-site") / "s"))


def test_facet_counts_of_terms_named_like_built_ins(
        built_in_named_server: SiteServer, watched: WatchedPage) -> None:
    page = watched.page
    watched.goto(built_in_named_server.url("papers/t/?sort=oldest"))
    expect_showing(page, 3, total=3)
    counts = page.locator(".filter-group .choice .num").all_inner_texts()
    assert counts == ["1", "2", "2", "1"]  # roles H, V; polarities C, T
    box(page, "role", "V").check()
    expect_showing(page, 2, total=3)
    expect(box(page, "polarity", "C")).to_be_enabled()
    assert page.locator(".filter-group .choice .num").all_inner_texts() == ["1", "2", "1", "1"]
    watched.assert_clean()
