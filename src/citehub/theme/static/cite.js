// "Copy BibTeX" on a paper's page: fetches the paper's cite.bib and puts it on the
// clipboard. Without JavaScript (or a clipboard) the BibTeX link beside it still works.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.cite-copy")) {
    if (!navigator.clipboard) continue;
    button.classList.add("is-ready");
    const status = button.parentElement.querySelector(".cite-status");
    button.addEventListener("click", async () => {
      try {
        const response = await fetch(button.dataset.cite);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        await navigator.clipboard.writeText(await response.text());
        status.textContent = "BibTeX copied.";
      } catch (error) {
        status.textContent = "Could not copy: use the BibTeX link.";
      }
    });
  }
});
