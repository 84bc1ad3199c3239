// The /search/ page: runs the query in ?q= against the site's Pagefind index and lists the
// papers found: title, date and how many papers cite it. Built with DOM nodes and
// textContent only: nothing from the index is parsed as HTML.
const MOST = 30;

const container = document.querySelector(".search-page");
const status = container.querySelector(".search-status");
const list = container.querySelector(".search-results");
const input = document.getElementById("site-search-query");
const query = (new URLSearchParams(location.search).get("q") || "").trim();

function say(text) {
  status.textContent = text;
}

function item(data) {
  const entry = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  const facts = document.createElement("p");
  facts.className = "search-facts";
  const citing = Number(data.meta.citing || 0);
  facts.textContent = [data.meta.date, `${citing} citing paper${citing === 1 ? "" : "s"}`]
    .filter(Boolean).join(" · ");
  entry.append(link, facts);
  return entry;
}

async function run() {
  if (input) input.value = query;
  if (!query) return;
  say(`Searching for “${query}”…`);
  let pagefind;
  try {
    pagefind = await import(container.dataset.bundle);
  } catch (error) {
    say("This build of the site has no search index (citehub build makes one, unless " +
        "--no-search; the live preview leaves it out).");
    return;
  }
  // A large hub's index comes in several bundles (an edit re-indexes one): search them all.
  for (const bundle of (container.dataset.merge || "").split(" ").filter(Boolean)) {
    await pagefind.mergeIndex(bundle);
  }
  const search = await pagefind.search(query);
  const found = await Promise.all(search.results.slice(0, MOST).map((result) => result.data()));
  list.replaceChildren(...found.map(item));
  const total = search.results.length;
  say(total === 0 ? `No paper matches “${query}”.`
    : `${total} paper${total === 1 ? "" : "s"} match “${query}”` +
      (total > MOST ? ` (the first ${MOST} are shown).` : "."));
}

run();
