// What the hub page's explorer (explorer.js) and the index's sort (papers.js) share: lists of
// papers made in the browser from a JSON file, a hundred at a time. Loaded before both.
window.citehubLists = (function () {
  "use strict";

  var PAGE_SIZE = 100;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A year typed in a field or read from the URL: its digits, or "" for none.
  function year(value) {
    var number = parseInt(value, 10);
    return isNaN(number) ? "" : String(number);
  }

  // Newest (-1) or oldest (1) first by date; undated last either way, ties by id.
  function byDate(direction) {
    return function (a, b) {
      if (a.date !== b.date) {
        if (!a.date) return 1;
        if (!b.date) return -1;
        return (a.date < b.date ? -1 : 1) * direction;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    };
  }

  // The list under `key` of the JSON file at `url`, fetched once (again after a failure).
  function loader(url, key) {
    var list = null;
    var loading = null;
    return function load() {
      if (list) return Promise.resolve(list);
      if (!loading) {
        loading = fetch(url)
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.json();
          })
          .then(function (data) {
            list = data[key];
            return list;
          })
          .catch(function (error) {
            loading = null;
            throw error;
          });
      }
      return loading;
    };
  }

  // "Show N more" under a list that shows `shown` of its entries, `left` to go: `showMore`
  // renders the longer list, then the focus goes to the first entry it added.
  function more(results, shown, left, showMore) {
    var button = element("button", "more", "Show " + Math.min(PAGE_SIZE, left) + " more");
    button.type = "button";
    button.addEventListener("click", function () {
      showMore();
      var links = results.querySelectorAll(".entry-title a");
      if (links[shown]) links[shown].focus();
    });
    return button;
  }

  return { PAGE_SIZE: PAGE_SIZE, element: element, year: year, byDate: byDate, loader: loader,
    more: more };
})();
