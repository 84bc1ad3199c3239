"""Aggregation on hand-computed hubs, the seed page's numbers among them."""

from __future__ import annotations

import json

from citehub.aggregate import SiteAggregates, aggregate, update
from citehub.build import BuildOptions, load_corpus
from citehub.diagnostics import Diagnostics

from conftest import Hub
from pages_helpers import soup
from seed_hub import REPRESENTATIVE_IDS, SURVEY_ID, write_seed_hub


def aggregated(hub: Hub, **options: bool) -> SiteAggregates:
    diagnostics = Diagnostics()
    corpus = load_corpus(hub.root, diagnostics, BuildOptions(cache=False, **options))
    assert not diagnostics.has_errors, [d.format() for d in diagnostics]
    return aggregate(corpus)


def test_seed_hub_has_the_seed_pages_numbers(hub: Hub) -> None:
    write_seed_hub(hub)
    survey = aggregated(hub).hubs[SURVEY_ID]
    assert survey.citing_count == 36
    assert survey.classified_count == 6
    assert dict(survey.years) == {2025: 8, 2026: 28}
    assert dict(survey.roles) == {"background": 6}
    assert dict(survey.polarities) == {"background": 5, "support": 1}
    assert survey.kind is not None
    assert survey.kind.label == "Canonical reference"
    assert round(survey.kind.share, 4) == 0.8333
    assert [entry.paper.id for entry in survey.representative] == REPRESENTATIVE_IDS


def test_seed_hub_page_states_the_kind_in_words(hub: Hub) -> None:
    write_seed_hub(hub)
    assert hub.build().exit_code == 0
    kicker = soup(hub.page(f"papers/{SURVEY_ID}/")).select_one(".hub-header .kicker")
    assert " ".join(kicker.get_text().split()) == (
        "Canonical reference. 83% of classified citations cite this work as background.")


def test_seed_hub_index_json_matches_spec(hub: Hub) -> None:
    write_seed_hub(hub)
    assert hub.build().exit_code == 0
    data = json.loads(hub.page(f"papers/{SURVEY_ID}/index.json"))
    assert data["id"] == SURVEY_ID
    assert data["url"] == f"/kd-hub/papers/{SURVEY_ID}/"
    assert data["kind"] == {"label": "Canonical reference", "share": 0.8333}
    assert data["citing_count"] == 36
    assert data["classified_count"] == 6
    assert data["years"] == {"2025": 8, "2026": 28}
    assert data["roles"] == {"background": 6}
    assert data["polarities"] == {"background": 5, "support": 1}
    assert data["representative"] == REPRESENTATIVE_IDS
    assert len(data["citing"]) == 36
    first = data["citing"][0]
    assert sorted(first) == ["authors", "categories", "context", "date", "id", "novelty",
                             "polarity", "refs", "role", "summary", "title", "venue", "verdict",
                             "year"]
    # Newest first, then id; a citation without refs counts as one mention.
    dates = [entry["date"] for entry in data["citing"]]
    assert dates == sorted(dates, reverse=True)
    assert first == {
        "id": "2606.01234", "title": "Escaping the KL Agreement Trap in On-Policy Distillation",
        "date": "2026-06-08", "year": 2026, "role": "background", "polarity": "background",
        "refs": 1, "novelty": 7.0, "verdict": "unverdicted", "categories": ["cs.LG"],
        "summary": first["summary"], "authors": [], "venue": None, "context": [],
    }
    mopd = next(entry for entry in data["citing"] if entry["id"] == "2605.44444")
    assert mopd["refs"] == 2
    unclassified = next(entry for entry in data["citing"] if entry["id"] == "filler-05")
    assert unclassified["role"] is None and unclassified["polarity"] is None


def test_index_json_keys_are_sorted(hub: Hub) -> None:
    write_seed_hub(hub)
    hub.build()
    text = hub.page(f"papers/{SURVEY_ID}/index.json")
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert all(list(entry) == sorted(entry) for entry in data["citing"])


def write_cited(hub: Hub, paper_id: str = "target") -> None:
    hub.paper(paper_id, "title: The cited paper\ndate: 2020")


def cite(hub: Hub, paper_id: str, *, date: str | None = "2024-01-01", role: str | None = None,
         polarity: str | None = None, novelty: float | None = None, draft: bool = False,
         target: str = "target") -> None:
    lines = [f"title: Paper {paper_id}"]
    if date:
        lines.append(f"date: {date}")
    if novelty is not None:
        lines.append(f"novelty: {novelty}")
    if draft:
        lines.append("draft: true")
    lines.append(f"cites:\n  - paper: {target}")
    if role:
        lines.append(f"    role: {role}")
    if polarity:
        lines.append(f"    polarity: {polarity}")
    hub.paper(paper_id, "\n".join(lines))


def test_contested_wins_over_canonical_because_it_comes_first(hub: Hub) -> None:
    write_cited(hub)
    # 4 classified: 3 background (75%) and 1 contrast (25%): both rules match, first wins.
    for index in range(3):
        cite(hub, f"bg{index}", polarity="background")
    cite(hub, "c0", polarity="contrast")
    target = aggregated(hub).hubs["target"]
    assert target.kind is not None and target.kind.label == "Contested"
    assert target.kind.share == 0.25


def test_kind_needs_enough_classified_citations(hub: Hub) -> None:
    write_cited(hub)
    cite(hub, "a", polarity="background")
    cite(hub, "b", polarity="background")
    cite(hub, "c")  # unclassified: counts as citing, not as classified
    target = aggregated(hub).hubs["target"]
    assert (target.citing_count, target.classified_count) == (3, 2)
    assert target.kind is None  # Canonical reference needs 3 classified


def test_shares_are_of_all_classified_citations_not_of_one_axis(hub: Hub) -> None:
    write_cited(hub)
    # Three method roles without polarity and one polarity without role: 4 classified.
    for index in range(3):
        cite(hub, f"m{index}", role="method")
    cite(hub, "p", polarity="background")
    target = aggregated(hub).hubs["target"]
    assert target.classified_count == 4
    assert target.kind is not None and target.kind.label == "Method source"
    assert target.kind.share == 0.75
    assert target.share(target.polarities["background"]) == 0.25


def test_representative_orders_by_novelty_then_date_then_id(hub: Hub) -> None:
    write_cited(hub)
    cite(hub, "none-new", novelty=None, date="2026-01-01")
    cite(hub, "low", novelty=2.0, date="2026-01-01")
    cite(hub, "high-old", novelty=9.0, date="2020-01-01")
    cite(hub, "high-new", novelty=9.0, date="2021")
    cite(hub, "b-mid", novelty=5.0, date="2022-05")
    cite(hub, "a-mid", novelty=5.0, date="2022-05")
    cite(hub, "undated", novelty=None, date=None)
    representative = aggregated(hub).hubs["target"].representative
    assert [entry.paper.id for entry in representative] == [
        "high-new", "high-old", "a-mid", "b-mid", "low",
    ]


def test_representative_count_comes_from_hub_yaml(hub: Hub) -> None:
    hub.config("representative: 2")
    write_cited(hub)
    for index in range(4):
        cite(hub, f"p{index}", novelty=float(index))
    representative = aggregated(hub).hubs["target"].representative
    assert [entry.paper.id for entry in representative] == ["p3", "p2"]


def test_undated_citing_paper_counts_but_has_no_year(hub: Hub) -> None:
    write_cited(hub)
    cite(hub, "dated", date="2023-04")
    cite(hub, "undated", date=None)
    target = aggregated(hub).hubs["target"]
    assert target.citing_count == 2
    assert dict(target.years) == {2023: 1}


def test_drafts_are_left_out_unless_asked_for(hub: Hub) -> None:
    write_cited(hub)
    cite(hub, "public", polarity="support")
    cite(hub, "secret", polarity="contrast", draft=True)
    published = aggregated(hub)
    assert "secret" not in published.hubs
    assert published.hubs["target"].citing_count == 1
    assert dict(published.hubs["target"].polarities) == {"support": 1}
    with_drafts = aggregated(hub, drafts=True)
    assert with_drafts.hubs["target"].citing_count == 2


def test_citation_of_a_draft_is_left_out_with_it(hub: Hub) -> None:
    hub.paper("draft", "title: Unfinished\ndraft: true")
    cite(hub, "public", target="draft")
    site = aggregated(hub)
    assert "draft" not in site.hubs
    assert site.hubs["public"].references == ()


def test_hub_yaml_vocabulary_and_kinds_replace_the_defaults(hub: Hub) -> None:
    hub.config("""
        vocabulary:
          roles: {uses: Uses, critiques: Critiques}
          polarities: {agree: Agrees, disagree: Disagrees}
        kinds:
          - {label: Workhorse, role: uses, share_at_least: 0.6, classified_at_least: 2}
    """)
    write_cited(hub)
    cite(hub, "a", role="uses", polarity="agree")
    cite(hub, "b", role="uses")
    cite(hub, "c", role="critiques", polarity="disagree")
    target = aggregated(hub).hubs["target"]
    assert dict(target.roles) == {"uses": 2, "critiques": 1}
    assert dict(target.polarities) == {"agree": 1, "disagree": 1}
    assert target.kind is not None and target.kind.label == "Workhorse"


def test_index_ranks_most_cited_first_then_newest(hub: Hub) -> None:
    hub.paper("old", "title: Old\ndate: 2001")
    hub.paper("new", "title: New\ndate: 2020")
    hub.paper("popular", "title: Popular\ndate: 1999")
    cite(hub, "x", target="popular", date="2022")
    cite(hub, "y", target="popular", date="2021")
    ranking = aggregated(hub).ranking
    assert ranking[0] == "popular"
    # Uncited papers by date, newest first: x (2022), new (2020), y (2021)... sorted:
    assert list(ranking[1:]) == ["x", "y", "new", "old"]


def test_site_wide_role_lists_collect_every_citation_with_that_role(hub: Hub) -> None:
    hub.paper("t1", "title: T1")
    hub.paper("t2", "title: T2")
    hub.paper("citer", """
        title: Citer
        date: 2024
        cites:
          - {paper: t1, role: method}
          - {paper: t2, role: method}
          - {paper: t2x, role: result}
    """.replace("  - {paper: t2x, role: result}\n", ""))
    site = aggregated(hub)
    assert [(e.paper.id, e.citation.cited_id) for e in site.role_citations["method"]] == [
        ("citer", "t1"), ("citer", "t2"),
    ]
    assert list(site.papers_by_year) == [2024]


def test_kind_rule_never_matches_a_term_with_no_citations(hub: Hub) -> None:
    hub.config("""
        kinds:
          - {label: Anything goes, polarity: contrast, share_at_least: 0, classified_at_least: 1}
    """)
    write_cited(hub)
    cite(hub, "a", polarity="support")
    assert aggregated(hub).hubs["target"].kind is None


def cite_with(hub: Hub, paper_id: str, front: str = "", citation: str = "",
              date: str = "2024-01-01") -> None:
    """A paper citing `target`, with more front matter and more keys in its citation."""
    citation_lines = "".join(f"\n    {line}" for line in citation.splitlines() if line)
    hub.paper(paper_id, f"title: Paper {paper_id}\ndate: {date}\n{front}"
                        f"cites:\n  - paper: target{citation_lines}")


def counted(count: int) -> str:
    return ("citation_counts:\n  - {source: Semantic Scholar, count: " f"{count}"
            ", date: 2026-12-01}\n")


def chosen(hub: Hub) -> tuple[str | None, list[str]]:
    target = aggregated(hub).hubs["target"]
    return target.representative_reason, [entry.paper.id for entry in target.representative]


def test_representative_prefers_influential_citations_most_cited_first(hub: Hub) -> None:
    write_cited(hub)
    cite_with(hub, "novel", "novelty: 9.0\n")
    cite_with(hub, "influential-few", counted(3), "influential: true")
    cite_with(hub, "influential-many", counted(300), "influential: true")
    cite_with(hub, "cited-most", counted(5000))
    assert chosen(hub) == ("influential", ["influential-many", "influential-few"])


def test_representative_without_influence_takes_the_most_cited_elsewhere(hub: Hub) -> None:
    write_cited(hub)
    cite_with(hub, "novel", "novelty: 9.0\n")
    for index, count in enumerate((12, 700, 0, 45)):
        cite_with(hub, f"p{index}", counted(count))
    # A count of 0 says it is cited nowhere: no reason to pick it.
    assert chosen(hub) == ("cited elsewhere", ["p1", "p3", "p0"])


def test_representative_falls_back_to_mentions(hub: Hub) -> None:
    write_cited(hub)
    cite_with(hub, "once")
    cite_with(hub, "thrice", citation="refs: 3")
    cite_with(hub, "twice", citation="refs: 2")
    assert chosen(hub) == ("mentions", ["thrice", "twice"])


def test_no_representative_papers_without_a_reason(hub: Hub) -> None:
    write_cited(hub)
    for index in range(8):
        cite(hub, f"p{index}", date=f"202{index}")
    # The newest few would only repeat the top of the list below.
    assert chosen(hub) == (None, [])


def test_no_representative_papers_when_every_citing_paper_would_be_picked(hub: Hub) -> None:
    write_cited(hub)
    cite(hub, "only", novelty=8.0)
    assert chosen(hub) == (None, [])
    cite(hub, "second", novelty=None)
    assert chosen(hub) == ("novelty", ["only"])


def test_representative_papers_follow_an_edit_in_a_preview(hub: Hub) -> None:
    write_cited(hub)
    cite_with(hub, "a", citation="refs: 2")
    cite_with(hub, "b")
    cite_with(hub, "c")
    diagnostics = Diagnostics()
    corpus = load_corpus(hub.root, diagnostics, BuildOptions(cache=False))
    before = aggregate(corpus)
    cite_with(hub, "c", citation="influential: true")
    corpus = load_corpus(hub.root, diagnostics, BuildOptions(cache=False))
    patched = update(before, corpus, {"c"}).hubs["target"]
    assert (patched.representative_reason, [e.paper.id for e in patched.representative]) == (
        "influential", ["c"])
    assert patched == aggregate(corpus).hubs["target"]
