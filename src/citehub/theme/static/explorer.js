// The citing papers explorer: combined filters over every citing paper of a hub, read from the
// hub's index.json. The state lives in the URL query (?role=method&from=2020&to=2024&q=…&
// sort=novelty), so a view can be shared and the back button works; ?year=2025 (what a year
// links to on a hub without filter pages) is from=2025&to=2025. No framework, no inline code: the page's
// Content-Security-Policy allows only scripts from the site itself.
(function () {
  "use strict";

  var form = document.getElementById("explorer");
  var results = document.getElementById("citing-results");
  if (!form || !results) return;

  var lists = window.citehubLists;
  var element = lists.element, year = lists.year;
  var AXES = ["role", "polarity"];
  var PAGE_SIZE = lists.PAGE_SIZE;
  var status = document.getElementById("explorer-status");
  var staticResults = Array.prototype.slice.call(results.childNodes);
  var papers = null; // index.json's citing list, once loaded
  var load = lists.loader(form.getAttribute("data-json"), "citing");
  var shown = PAGE_SIZE;

  function boxes(axis) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="' + axis + '"]'));
  }

  function yearField(name) {
    return form.elements[name] || { value: "" }; // a hub without dated citing papers has none
  }

  function stateFromForm() {
    var state = { q: form.elements.q.value.trim(), sort: form.elements.sort.value,
      from: year(yearField("from").value), to: year(yearField("to").value) };
    AXES.forEach(function (axis) {
      state[axis] = boxes(axis).filter(function (box) { return box.checked; })
        .map(function (box) { return box.value; });
    });
    return state;
  }

  function stateFromUrl() {
    var query = new URLSearchParams(window.location.search);
    var only = year(query.get("year"));
    var state = { q: query.get("q") || "", sort: query.get("sort") || "newest",
      from: year(query.get("from")) || only, to: year(query.get("to")) || only };
    AXES.forEach(function (axis) { state[axis] = query.getAll(axis); });
    return state;
  }

  function showState(state) {
    AXES.forEach(function (axis) {
      boxes(axis).forEach(function (box) { box.checked = state[axis].indexOf(box.value) >= 0; });
    });
    form.elements.q.value = state.q;
    yearField("from").value = state.from;
    yearField("to").value = state.to;
    var sorts = Array.prototype.map.call(form.elements.sort.options, function (o) { return o.value; });
    form.elements.sort.value = sorts.indexOf(state.sort) >= 0 ? state.sort : "newest";
  }

  function queryOf(state) {
    var query = new URLSearchParams();
    AXES.forEach(function (axis) {
      state[axis].forEach(function (value) { query.append(axis, value); });
    });
    if (state.from) query.set("from", state.from);
    if (state.to) query.set("to", state.to);
    if (state.q) query.set("q", state.q);
    if (state.sort !== "newest") query.set("sort", state.sort);
    var text = query.toString();
    return text ? "?" + text : window.location.pathname;
  }

  function isDefault(state) {
    return !state.q && state.sort === "newest" && !state.from && !state.to &&
      AXES.every(function (axis) { return state[axis].length === 0; });
  }

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function matches(paper, state, words) {
    if (state.role.length && state.role.indexOf(paper.role) < 0) return false;
    if (state.polarity.length && state.polarity.indexOf(paper.polarity) < 0) return false;
    if (state.from && (paper.year === null || paper.year < Number(state.from))) return false;
    if (state.to && (paper.year === null || paper.year > Number(state.to))) return false;
    if (!words.length) return true;
    var haystack = fold(paper.title + " " + (paper.authors || []).join(" "));
    return words.every(function (word) { return haystack.indexOf(word) >= 0; });
  }

  var newest = lists.byDate(-1);

  var ORDERS = {
    newest: newest,
    novelty: function (a, b) {
      var x = a.novelty === null ? -1 : a.novelty, y = b.novelty === null ? -1 : b.novelty;
      return y - x || newest(a, b);
    },
    oldest: lists.byDate(1),
    refs: function (a, b) { return b.refs - a.refs || newest(a, b); }
  };

  function tag(axis, term) {
    var box = form.querySelector('input[name="' + axis + '"][value="' + CSS.escape(term) + '"]');
    var text = box ? box.getAttribute("data-tag") || box.getAttribute("data-label") : term;
    var url = box ? box.getAttribute("data-url") : null;
    var className = "tag tag-" + axis + (axis === "polarity" ? " polarity-" + term : "");
    var node = element(url ? "a" : "span", className, text);
    if (url) node.href = url;
    return node;
  }

  // As views.short_author: "Ashish Vaswani" -> "A. Vaswani", "Ludwig van Beethoven" ->
  // "L. van Beethoven", "Jean-Pierre Dupont" -> "J.-P. Dupont".
  function shortAuthor(name) {
    var words = name.split(/\s+/).filter(Boolean);
    if (words.length < 2) return name;
    var family = words.pop();
    while (words.length && /^\p{Ll}/u.test(words[words.length - 1])) {
      family = words.pop() + " " + family;
    }
    var initials = words.map(function (word) {
      if (/\.$/.test(word)) return word;
      return word.split("-").map(function (part) {
        return /^\p{L}/u.test(part) ? Array.from(part)[0] + "." : part;
      }).join("-");
    });
    return initials.concat([family]).join(" ");
  }

  function shortAuthors(authors) {
    if (authors.length <= 3) return authors.map(shortAuthor).join(", ");
    return authors.slice(0, 2).map(shortAuthor).join(", ") + ", \u2026 +" + (authors.length - 2);
  }

  function item(paper) {
    var li = element("li", "entry");
    var title = element("h3", "entry-title");
    var link = element("a", null, paper.title);
    link.href = form.getAttribute("data-papers") + encodeURIComponent(paper.id) + "/";
    title.appendChild(link);
    li.appendChild(title);
    var byline = [];
    if (paper.authors && paper.authors.length) byline.push(shortAuthors(paper.authors));
    if (paper.venue) byline.push(paper.venue);
    if (paper.year !== null) byline.push(String(paper.year));
    if (byline.length) li.appendChild(element("p", "byline", byline.join(" \u00b7 ")));
    if (paper.role || paper.polarity) {
      var tags = element("p", "tags");
      if (paper.polarity) tags.appendChild(tag("polarity", paper.polarity));
      if (paper.role) {
        if (paper.polarity) tags.appendChild(document.createTextNode(" "));
        tags.appendChild(element("span", "tag-axis", "role"));
        tags.appendChild(document.createTextNode(" "));
        tags.appendChild(tag("role", paper.role));
      }
      li.appendChild(tags);
    }
    (paper.context || []).forEach(function (text) {
      var quote = element("blockquote", "context");
      quote.appendChild(element("p", null, text));
      li.appendChild(quote);
    });
    if (paper.summary) li.appendChild(element("p", "summary", paper.summary));
    var meta = [];
    if (paper.categories && paper.categories.length) meta.push(paper.categories.join(", "));
    if (paper.verdict) meta.push(paper.verdict);
    if (paper.novelty !== null) meta.push("novelty " + paper.novelty.toFixed(1));
    if (paper.refs > 1) meta.push(paper.refs + " mentions");
    if (meta.length) li.appendChild(element("p", "meta", meta.join(" \u00b7 ")));
    return li;
  }

  // "Showing 1–100 of 1000 citing papers.", "Showing 1–6 of 6 matching (36 citing papers in
  // all)." The hub page's own status says the first, in the same words (macros.explorer).
  function showing(last, count, total) {
    if (!count) return "No citing paper matches these filters (" + total + " in all).";
    var range = (last === 1 ? "1" : "1\u2013" + last) + " of " + count;
    if (count === total) return "Showing " + range + " citing paper" + (total === 1 ? "." : "s.");
    return "Showing " + range + " matching (" + total + " citing papers in all).";
  }

  function say(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  // Each option's count follows the other filters: how many citing papers it would show
  // with them, the option itself aside; an option that would show none is disabled.
  var firstCounts = Object.create(null);
  AXES.forEach(function (axis) {
    boxes(axis).forEach(function (box) {
      firstCounts[axis + ":" + box.value] = countOf(box).textContent;
    });
  });

  function countOf(box) {
    return box.parentNode.querySelector(".num");
  }

  function showCounts(state, words) {
    AXES.forEach(function (axis) {
      var tally = Object.create(null); // terms are ids such as "constructor": no prototype
      if (papers && !isDefault(state)) {
        var others = Object.assign({}, state);
        others[axis] = [];
        papers.forEach(function (paper) {
          if (paper[axis] && matches(paper, others, words)) {
            tally[paper[axis]] = (tally[paper[axis]] || 0) + 1;
          }
        });
      }
      boxes(axis).forEach(function (box) {
        var count = papers && !isDefault(state) ? String(tally[box.value] || 0)
          : firstCounts[axis + ":" + box.value];
        if (countOf(box).textContent !== count) countOf(box).textContent = count;
        box.disabled = count === "0" && !box.checked;
      });
    });
  }

  function render(state) {
    var total = Number(form.getAttribute("data-total"));
    var words = fold(state.q).split(/\s+/).filter(Boolean);
    showCounts(state, words);
    if (isDefault(state)) {
      results.replaceChildren.apply(results, staticResults);
      say(showing(Number(form.getAttribute("data-shown")), total, total));
      return;
    }
    var chosen = papers.filter(function (paper) { return matches(paper, state, words); })
      .sort(ORDERS[state.sort] || newest);
    var list = element("ol", "entries");
    chosen.slice(0, shown).forEach(function (paper) { list.appendChild(item(paper)); });
    var nodes = [list];
    if (chosen.length > shown) {
      nodes.push(lists.more(results, shown, chosen.length - shown, function () {
        shown += PAGE_SIZE;
        render(stateFromForm());
      }));
    }
    if (!chosen.length) nodes = [element("p", "note", "No citing paper matches these filters.")];
    results.replaceChildren.apply(results, nodes);
    say(showing(Math.min(shown, chosen.length), chosen.length, papers.length));
  }

  function update(state, how) {
    if (how === "push" || how === "replace") {
      var url = queryOf(state);
      if (url !== window.location.search && !(url === window.location.pathname && !window.location.search)) {
        window.history[how === "push" ? "pushState" : "replaceState"](null, "", url);
      }
    }
    shown = PAGE_SIZE;
    if (isDefault(state)) {
      render(state);
      return;
    }
    form.setAttribute("aria-busy", "true");
    load().then(function (citing) {
      papers = citing;
      form.removeAttribute("aria-busy");
      render(stateFromForm());
    }, function (error) {
      form.removeAttribute("aria-busy");
      say("The citing papers could not be loaded (" + error.message + "); " +
        "the lists of this page and its filter pages still work.");
    });
  }

  // A year applies when committed (Enter, leaving the field, its arrows), not at each key.
  form.addEventListener("change", function (event) {
    if (event.target.name === "q") return; // typed text is handled on input
    update(stateFromForm(), "push");
  });
  // Typing makes one history entry per burst, not one per key: the first key pushes, the rest
  // of the burst replaces it, so Back goes to what was there before the typing.
  var typing = null;
  form.addEventListener("input", function (event) {
    if (event.target.name !== "q") return;
    update(stateFromForm(), typing ? "replace" : "push");
    window.clearTimeout(typing);
    typing = window.setTimeout(function () { typing = null; }, 700);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault(); // Enter: the text is applied already, a year typed is now
    if (queryOf(stateFromForm()) !== (window.location.search || window.location.pathname)) {
      update(stateFromForm(), "push");
    }
  });
  form.addEventListener("reset", function (event) {
    event.preventDefault();
    showState({ role: [], polarity: [], from: "", to: "", q: "", sort: "newest" });
    update(stateFromForm(), "push");
    form.elements.q.focus();
  });
  window.addEventListener("popstate", function () {
    showState(stateFromUrl());
    update(stateFromForm(), "none");
  });

  showState(stateFromUrl());
  if (!isDefault(stateFromForm())) update(stateFromForm(), "none");
})();
