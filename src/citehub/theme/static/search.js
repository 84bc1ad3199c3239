// The /search/ page: runs the query in ?q= against the site's Pagefind index and lists the
// papers found: title, authors and venue, date, how many papers cite it, and the words that
// matched. Built with DOM nodes and textContent only: nothing from the index becomes markup
// (Pagefind's excerpt is read as text, its <mark>s turned into our own elements).
const PAGE = 30;
const TYPING_MS = 250;

const container = document.querySelector(".search-page");
const status = container.querySelector(".search-status");
const list = container.querySelector(".search-results");
const input = document.getElementById("site-search-query");
let pagefind = null;
let asked = 0; // the latest query run: an older one that finishes late is dropped

function say(text) {
  status.textContent = text;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

// Pagefind's excerpt is text with <mark>…</mark> around the matched words: split on those
// and nothing else, so any other markup in it stays text.
function excerpt(text) {
  const node = document.createElement("p");
  node.className = "search-excerpt";
  text.split(/(<mark>[^<]*<\/mark>)/).forEach((part) => {
    const marked = /^<mark>([^<]*)<\/mark>$/.exec(part);
    if (marked) {
      const mark = document.createElement("mark");
      mark.textContent = unescaped(marked[1]);
      node.append(mark);
    } else if (part) {
      node.append(unescaped(part));
    }
  });
  return node;
}

function unescaped(text) {
  return text.replace(/&(lt|gt|quot|#39|amp);/g, (_, name) =>
    ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[name]);
}

function item(data) {
  const entry = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  entry.append(link);
  if (data.meta.byline) {
    const byline = document.createElement("p");
    byline.className = "byline";
    byline.textContent = data.meta.byline;
    entry.append(byline);
  }
  const facts = document.createElement("p");
  facts.className = "search-facts";
  const citing = Number(data.meta.citing || 0);
  const outside = Number(data.meta.outside || 0);
  facts.textContent = [data.meta.date, `${plural(citing, "citing paper")} in this hub`,
    outside ? `cited by ${outside.toLocaleString("en")} outside the hub` : ""]
    .filter(Boolean).join(" · ");
  entry.append(facts);
  if (data.excerpt) entry.append(excerpt(data.excerpt));
  return entry;
}

async function index() {
  if (!pagefind) {
    pagefind = await import(container.dataset.bundle);
    // A large hub's index comes in several bundles (an edit re-indexes one): search them all.
    for (const bundle of (container.dataset.merge || "").split(" ").filter(Boolean)) {
      await pagefind.mergeIndex(bundle);
    }
  }
  return pagefind;
}

async function run(query) {
  const number = ++asked;
  if (!query) {
    list.replaceChildren();
    say("Type a title, an author or words of an abstract in the search box above.");
    return;
  }
  say(`Searching for “${query}”…`);
  let search;
  try {
    search = await (await index()).search(query);
  } catch (error) {
    say("This build of the site has no search index (citehub build makes one, unless " +
        "--no-search; the live preview leaves it out).");
    return;
  }
  if (number !== asked) return;
  const results = search.results;
  let shown = 0;
  list.replaceChildren();
  const more = document.createElement("button");
  more.type = "button";
  more.className = "more";
  async function showMore() {
    const found = await Promise.all(results.slice(shown, shown + PAGE).map((r) => r.data()));
    if (number !== asked) return;
    const first = shown;
    shown += found.length;
    list.append(...found.map(item));
    if (first) list.children[first].querySelector("a").focus();
    say(results.length === 0 ? `No paper matches “${query}”.`
      : `${plural(results.length, "paper")} match “${query}”` +
        (results.length > shown ? `: 1–${shown} shown.` : "."));
    more.textContent = `Show ${Math.min(PAGE, results.length - shown)} more`;
    if (results.length <= shown) more.remove(); else if (!more.isConnected) list.after(more);
  }
  more.addEventListener("click", showMore);
  container.querySelectorAll("button.more").forEach((old) => old.remove());
  await showMore();
}

// Search as you type, on this page: the address follows, without a history entry per key.
let typing = null;
if (input) {
  input.addEventListener("input", () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => {
      const query = input.value.trim();
      const url = query ? `?q=${encodeURIComponent(query)}` : location.pathname;
      history.replaceState(null, "", url);
      run(query);
    }, TYPING_MS);
  });
}

const initial = (new URLSearchParams(location.search).get("q") || "").trim();
if (input) input.value = initial;
if (initial) run(initial);
