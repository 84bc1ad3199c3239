"""TeX in abstracts: math as MathML made at build time, text commands as emphasis, dashes and
quotes as typography; what cannot be rendered stays readable, and nothing in TeX can inject
markup."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from citehub.render import render_markdown


def html(text: str) -> BeautifulSoup:
    return BeautifulSoup(str(render_markdown(text)), "html.parser")


def test_inline_and_display_math_become_mathml() -> None:
    page = html("We show $O(n^2)$ time, and $$\\sum_i x_i$$ in a line.\n\n$$\nE = mc^2\n$$\n")
    inline, double = page.find_all("span", class_="math")
    assert inline.math["display"] == "inline"
    assert inline.math.msup.mi.text == "n" and inline.math.msup.mn.text == "2"
    assert double.math["display"] == "block"
    block = page.find("div", class_="math")
    assert block.math["xmlns"] == "http://www.w3.org/1998/Math/MathML"
    assert [element.text for element in block.math.mrow.children][:3] == ["E", "=", "m"]
    assert "$" not in page.text


def test_dollars_that_are_money_stay_money() -> None:
    assert html("It costs $5 and $10, or $ 3 $ at most.").p.text == (
        "It costs $5 and $10, or $ 3 $ at most.")


def test_text_commands_dashes_and_quotes() -> None:
    page = html("A \\textit{new} method -- and \\textbf{bold} --- see \\emph{this}, "
                "\\texttt{code} and ``as if'' we knew.")
    assert [element.text for element in page.find_all("em")] == ["new", "this"]
    assert page.strong.text == "bold" and page.code.text == "code"
    assert page.p.text == ("A new method \u2013 and bold \u2014 see this, code and "
                           "\u201cas if\u201d we knew.")


@pytest.mark.parametrize("tex", [
    "$\\text{<script>alert(1)</script>}$",
    "$\\href{javascript:alert(1)}{x}$",
    "$\\style{background:url(x)}{x}$",
    "$\\text{<b}$",
])
def test_tex_cannot_inject_markup_and_falls_back_to_its_text(tex: str) -> None:
    page = html(tex)
    assert page.find(["script", "b"]) is None and page.find(attrs={"href": True}) is None
    assert page.find(attrs={"style": True}) is None and page.math is None
    assert page.p.text == tex


def test_tex_it_cannot_convert_stays_readable() -> None:
    assert html("Broken $\\frac{1}{$ here.").p.text == "Broken $\\frac{1}{$ here."
    assert html("\\cite{key} and \\unknown{x}").p.text == "\\cite{key} and \\unknown{x}"
