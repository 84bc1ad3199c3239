"""A deterministic, seeded corpus of N papers for benchmarks.

About ten citations per paper, cited papers drawn with Zipf-like popularity (a few hubs get
thousands of citing papers, most a handful), roles and polarities from the default
vocabulary (a third of citations unclassified), dates over twelve years, ~150-word
abstracts with some Markdown and TeX. The same (N, seed) always writes the same bytes.

    python bench/corpus.py 10000 /dev/shm/citehub-bench/10000
"""

from __future__ import annotations

import argparse
import random
import shutil
from bisect import bisect
from itertools import accumulate
from pathlib import Path

WORDS = [
    "distillation", "teacher", "student", "model", "language", "large", "knowledge", "transfer",
    "attention", "layer", "token", "alignment", "reasoning", "chain", "thought", "policy",
    "reward", "gradient", "loss", "divergence", "sample", "data", "augmentation", "instruction",
    "tuning", "benchmark", "evaluation", "retrieval", "memory", "context", "compression",
    "quantization", "pruning", "sparse", "mixture", "expert", "graph", "vision", "speech", "agent",
    "tool", "planning", "feedback", "preference", "safety", "robustness", "bias", "scaling", "law",
    "emergent", "ability"
]
FIRST = [
    "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Katherine",
    "Leslie", "Margaret", "Niklaus"
]
LAST = [
    "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy", "Johnson",
    "Lamport", "Hamilton"
]
CATEGORIES = ("cs.CL", "cs.LG", "cs.AI", "cs.CV", "stat.ML")
ROLES = ("background", "method", "result", "comparison", "extension", "dataset")
POLARITIES = ("background", "support", "contrast")
YEARS = 12
FIRST_YEAR = 2014


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:]


def abstract(rng: random.Random) -> str:
    parts = []
    for index in range(10):
        text = sentence(rng, 15)
        if index == 2:
            text += " with *emphasis* and `code`"
        if index == 5:
            text += r" where the loss is $\mathcal{L} = \sum_i x_i^2$"
        if index == 7:
            text += " ([code](https://example.org/code))"
        parts.append(text + ".")
    return " ".join(parts) + "\n"


def zipf_weights(count: int, exponent: float = 1.1) -> list[float]:
    return [1 / (rank + 1) ** exponent for rank in range(count)]


def write_corpus(count: int, target: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    papers = target / "content" / "papers"
    if target.exists():
        shutil.rmtree(target)
    papers.mkdir(parents=True)
    (target / "content" / "hub.yaml").write_text(
        "title: Benchmark hub\nbase_url: https://example.github.io/bench/\n"
        "warnings: {no-abstract: ignore, orphan: ignore, unclassified: ignore}\n"
    )
    ids = [f"p{index:06d}" for index in range(count)]
    # Popularity is a random permutation of ranks, so popular papers are spread over time.
    popularity = list(range(count))
    rng.shuffle(popularity)
    weights = zipf_weights(count)
    cumulative = list(accumulate(weights[popularity[index]] for index in range(count)))
    for index, paper_id in enumerate(ids):
        year = FIRST_YEAR + index * YEARS // count
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        authors = ", ".join(f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                            for _ in range(rng.randint(1, 6)))
        lines = [
            "---",
            f"title: {sentence(rng, rng.randint(5, 12))}",
            f"authors: [{authors}]",
            f"date: {date}",
            f"categories: [{rng.choice(CATEGORIES)}]",
            "venue: arXiv",
            f'links: {{arxiv: "{2000 + index % 800}.{index:05d}"}}',
            f"novelty: {rng.randint(0, 100) / 10}",
            f"summary: {sentence(rng, 20)}.",
        ]
        if index > 0:
            # Draw among the papers before this one, each by its popularity (bisect over the
            # running total keeps this O(log N) per citation, not O(N)).
            cited = {bisect(cumulative, rng.random() * cumulative[index - 1], 0, index - 1)
                     for _ in range(min(index, rng.randint(8, 19)))}
            lines.append("cites:")
            for target_index in sorted(cited):
                lines.append(f'  - paper: "{ids[target_index]}"')
                if rng.random() < 0.67:
                    lines.append(f"    role: {rng.choice(ROLES)}")
                    lines.append(f"    polarity: {rng.choice(POLARITIES)}")
                if rng.random() < 0.3:
                    lines.append(f"    refs: {rng.randint(2, 5)}")
                if rng.random() < 0.2:
                    lines.append(f'    context: "{sentence(rng, 12)}."')
        lines.append("---")
        (papers / f"{paper_id}.md").write_text("\n".join(lines) + "\n" + abstract(rng))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    write_corpus(arguments.count, arguments.target, arguments.seed)


if __name__ == "__main__":
    main()
