// The index page's sorting and year filter: every paper of the hub, read from papers.json,
// sorted (most cited, newest, oldest, title) and kept to a range of years in the browser, so
// that no static page is written per order or per year. The state lives in the URL query
// (?sort=title&from=1990&to=2000). Without JavaScript the form is hidden (noscript.css) and
// the pages list the papers most cited first; /years/ lists them by year.
(function () {
  "use strict";

  var form = document.getElementById("index-explorer");
  var results = document.getElementById("index-results");
  if (!form || !results) return;

  var lists = window.citehubLists;
  var element = lists.element, year = lists.year;
  var PAGE_SIZE = lists.PAGE_SIZE;
  var status = document.getElementById("index-status");
  var staticResults = Array.prototype.slice.call(results.childNodes);
  var papers = null; // papers.json's list, most cited first, once loaded
  var load = lists.loader(form.getAttribute("data-json"), "papers");
  var shown = PAGE_SIZE;

  function field(name) {
    return form.elements[name] || { value: "" }; // a hub without dated papers has no range
  }

  function stateFromForm() {
    return { sort: form.elements.sort.value, from: year(field("from").value),
      to: year(field("to").value) };
  }

  function stateFromUrl() {
    var query = new URLSearchParams(window.location.search);
    return { sort: query.get("sort") || "cited", from: year(query.get("from")),
      to: year(query.get("to")) };
  }

  function showState(state) {
    var sorts = Array.prototype.map.call(form.elements.sort.options, function (o) { return o.value; });
    form.elements.sort.value = sorts.indexOf(state.sort) >= 0 ? state.sort : "cited";
    field("from").value = state.from;
    field("to").value = state.to;
  }

  function queryOf(state) {
    var query = new URLSearchParams();
    if (state.sort !== "cited") query.set("sort", state.sort);
    if (state.from) query.set("from", state.from);
    if (state.to) query.set("to", state.to);
    var text = query.toString();
    return text ? "?" + text : window.location.pathname;
  }

  function isDefault(state) {
    return state.sort === "cited" && !state.from && !state.to;
  }

  var ORDERS = {
    newest: lists.byDate(-1),
    oldest: lists.byDate(1),
    title: function (a, b) {
      return a.title.localeCompare(b.title, "en", { sensitivity: "base" }) ||
        (a.id < b.id ? -1 : 1);
    }
  };

  // As the theme's card_item macro: title (and kind), byline, counts.
  function item(paper) {
    var li = element("li", "entry");
    var title = element("h3", "entry-title");
    var link = element("a", null, paper.title);
    var url = form.getAttribute("data-papers") + encodeURIComponent(paper.id) + "/";
    link.href = url;
    title.appendChild(link);
    if (paper.kind) {
      title.appendChild(document.createTextNode(" "));
      title.appendChild(element("span", "badge", paper.kind));
    }
    li.appendChild(title);
    var byline = [paper.byline, paper.year === null ? "" : String(paper.year)]
      .filter(Boolean).join(" \u00b7 ");
    if (byline) li.appendChild(element("p", "byline", byline));
    var meta = element("p", "meta");
    if (paper.outside) meta.appendChild(document.createTextNode(
      "cited by " + paper.outside.toLocaleString("en") + " outside the hub \u00b7 "));
    if (paper.citing) {
      var citing = element("a", null, paper.citing + " citing paper" + (paper.citing === 1 ? "" : "s"));
      citing.href = url + "#citing";
      meta.appendChild(citing);
    } else {
      meta.appendChild(document.createTextNode("not cited in this hub"));
    }
    li.appendChild(meta);
    return li;
  }

  function showing(last, count, total) {
    if (!count) return "No paper is from those years (" + total + " in all).";
    var range = (last === 1 ? "1" : "1\u2013" + last) + " of " + count;
    var order = { cited: "most cited first", newest: "newest first", oldest: "oldest first",
      title: "by title" }[stateFromForm().sort];
    if (count === total) return "Showing " + range + " papers, " + order + ".";
    return "Showing " + range + " papers of those years (" + total + " in all), " + order + ".";
  }

  function render(state) {
    var total = Number(form.getAttribute("data-total"));
    if (isDefault(state)) {
      results.replaceChildren.apply(results, staticResults);
      status.textContent = showing(Number(form.getAttribute("data-shown")), total, total);
      return;
    }
    var chosen = papers.filter(function (paper) {
      if (state.from && (paper.year === null || paper.year < Number(state.from))) return false;
      return !(state.to && (paper.year === null || paper.year > Number(state.to)));
    });
    if (ORDERS[state.sort]) chosen.sort(ORDERS[state.sort]);
    var list = element("ol", "entries");
    chosen.slice(0, shown).forEach(function (paper) { list.appendChild(item(paper)); });
    var nodes = [list];
    if (chosen.length > shown) {
      nodes.push(lists.more(results, shown, chosen.length - shown, function () {
        shown += PAGE_SIZE;
        render(stateFromForm());
      }));
    }
    results.replaceChildren.apply(results, nodes);
    status.textContent = showing(Math.min(shown, chosen.length), chosen.length, papers.length);
  }

  function update(state, push) {
    var url = queryOf(state);
    if (push && url !== (window.location.search || window.location.pathname)) {
      window.history.pushState(null, "", url);
    }
    shown = PAGE_SIZE;
    if (isDefault(state)) {
      render(state);
      return;
    }
    form.setAttribute("aria-busy", "true");
    load().then(function (list) {
      papers = list;
      form.removeAttribute("aria-busy");
      render(stateFromForm());
    }, function (error) {
      form.removeAttribute("aria-busy");
      status.textContent = "The papers could not be loaded (" + error.message + "); " +
        "the pages below and /years/ still list them.";
    });
  }

  form.addEventListener("change", function () { update(stateFromForm(), true); });
  form.addEventListener("submit", function (event) {
    event.preventDefault(); // Enter in a year: apply it
    update(stateFromForm(), true);
  });
  form.addEventListener("reset", function (event) {
    event.preventDefault();
    showState({ sort: "cited", from: "", to: "" });
    update(stateFromForm(), true);
  });
  window.addEventListener("popstate", function () {
    showState(stateFromUrl());
    update(stateFromForm(), false);
  });

  showState(stateFromUrl());
  if (!isDefault(stateFromForm())) update(stateFromForm(), false);
})();
