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

  var PAGE_SIZE = 100;
  var status = document.getElementById("index-status");
  var staticResults = Array.prototype.slice.call(results.childNodes);
  var papers = null; // papers.json's list, most cited first, once loaded
  var loading = null;
  var shown = PAGE_SIZE;

  function year(value) {
    var number = parseInt(value, 10);
    return isNaN(number) ? "" : String(number);
  }

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

  function byDate(direction) {
    return function (a, b) {
      if (a.date !== b.date) {
        if (!a.date) return 1; // undated last either way
        if (!b.date) return -1;
        return (a.date < b.date ? -1 : 1) * direction;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    };
  }

  var ORDERS = {
    newest: byDate(-1),
    oldest: byDate(1),
    title: function (a, b) {
      return a.title.localeCompare(b.title, "en", { sensitivity: "base" }) ||
        (a.id < b.id ? -1 : 1);
    }
  };

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

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
      var more = element("button", "more", "Show " + Math.min(PAGE_SIZE, chosen.length - shown) +
        " more");
      more.type = "button";
      more.addEventListener("click", function () {
        shown += PAGE_SIZE;
        render(stateFromForm());
        var links = results.querySelectorAll(".entry-title a");
        if (links[shown - PAGE_SIZE]) links[shown - PAGE_SIZE].focus();
      });
      nodes.push(more);
    }
    results.replaceChildren.apply(results, nodes);
    status.textContent = showing(Math.min(shown, chosen.length), chosen.length, papers.length);
  }

  function load() {
    if (papers) return Promise.resolve();
    if (!loading) {
      loading = fetch(form.getAttribute("data-json"))
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) { papers = data.papers; })
        .catch(function (error) {
          loading = null;
          throw error;
        });
    }
    return loading;
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
    load().then(function () {
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
