"""A hub built like the seed page: the KD survey with 36 citing papers, 6 of them classified.

The five representative papers are the seed's own; the other 31 citing papers are filler
whose only job is to make the seed's counts come out: years 2025: 8 / 2026: 28, roles
background 6, polarities background 5 / support 1.
"""

from __future__ import annotations

from conftest import Hub

SURVEY_ID = "2402.13116"
SURVEY_TITLE = "A Survey on Knowledge Distillation of Large Language Models"

# (id, title, category, date, novelty, refs, summary) as the seed page shows them.
REPRESENTATIVE = [
    ("2606.01234", "Escaping the KL Agreement Trap in On-Policy Distillation", "cs.LG",
     "2026-06-08", 7.0, None,
     "KAT detects persistent low-KL agreement traps in on-policy distillation via a dynamic "
     "threshold to filter weak supervision."),
    ("2605.11111", "When Does Model Collapse Occur in Structured Interactive Learning?", "cs.LG",
     "2026-05-19", 7.0, None,
     "Model collapse occurs in structured interactive learning if and only if the directed "
     "interaction graph satisfies a specific topological condition."),
    ("2605.22222", "Llamion Technical Report", "cs.CL", "2026-05-25", 6.0, None,
     "A new conversion method (KEPT) transforms Orion-14B into Llama-format models."),
    ("2605.33333", "OpenJarvis: Personal AI, On Personal Devices", "cs.LG", "2026-05-16", 6.0,
     None, "OpenJarvis decomposes personal AI into primitives and searches on-device configs."),
    ("2605.44444", "Multi-Rollout On-Policy Distillation via Peer Successes and Failures",
     "cs.LG", "2026-05-12", 6.0, 2,
     "MOPD improves on-policy distillation by using peer successes and failures."),
]
REPRESENTATIVE_IDS = [row[0] for row in REPRESENTATIVE]


def write_seed_hub(hub: Hub) -> None:
    hub.config("""
        title: Seed hub
        base_url: https://example.github.io/kd-hub/
        filter_pages_min_citing: 5
    """)
    hub.paper(SURVEY_ID, f"""
        title: {SURVEY_TITLE}
        authors: [Xiaohan Xu, Ming Li, Chongyang Tao]
        date: 2024-02-20
        categories: [cs.CL]
        venue: arXiv
        links: {{arxiv: "{SURVEY_ID}"}}
        verdict: unverdicted
    """, "In the era of Large Language Models (LLMs), Knowledge Distillation (KD) emerges...\n")
    for paper_id, title, category, date, novelty, refs, summary in REPRESENTATIVE:
        refs_line = f"\n                refs: {refs}" if refs else ""
        hub.paper(paper_id, f"""
            title: "{title}"
            date: {date}
            categories: [{category}]
            verdict: unverdicted
            novelty: {novelty}
            summary: "{summary}"
            cites:
              - paper: {SURVEY_ID}
                role: background
                polarity: background{refs_line}
        """)
    # The sixth classified citation: background role, the one supporting polarity.
    filler_dates = [f"2026-0{1 + index % 4}-1{index % 10}" for index in range(23)]
    filler_dates += [f"2025-1{index % 3}-0{1 + index}" for index in range(8)]
    for index, date in enumerate(filler_dates):
        classification = "\n                role: background\n                polarity: support" \
            if index == 0 else ""
        hub.paper(f"filler-{index:02d}", f"""
            title: Filler citing paper {index}
            date: {date}
            categories: [cs.LG]
            novelty: {3.0 + (index % 3)}
            cites:
              - paper: {SURVEY_ID}{classification}
        """)
