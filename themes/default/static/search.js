// Client-side search for digest: loads search-index.json (titles, dates, topics, people,
// places, sources) and, once the reader types, the summary shards. No server, no dependencies.
(function () {
  "use strict";
  var script = document.currentScript;
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var results = document.getElementById("results");
  if (!script || !input || !results) return;
  var indexUrl = script.getAttribute("data-index");
  var index = null, docs = null, summaries = [], shardsAsked = false, timer = null;

  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function words(s) {
    return fold(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }
  function href(a) {
    var r = a[1];
    if (r.charAt(0) === "~") r = a[2].replace(/-/g, "/") + "/" + r.slice(1);
    return index.base + r;
  }
  function prepare() {
    docs = index.articles.map(function (a) {
      var names = [];
      if (a[3] >= 0) names.push(index.sources[a[3]]);
      a[4].forEach(function (i) { names.push(index.topics[i]); });
      a[5].forEach(function (i) { names.push(index.people[i]); });
      a[6].forEach(function (i) { names.push(index.places[i]); });
      return { a: a, title: " " + words(a[0]).join(" "), names: " " + words(names.join(" ")).join(" ") };
    });
  }
  function loadShards() {
    if (shardsAsked) return;
    shardsAsked = true;
    for (var i = 0; i < index.shards; i++) {
      (function (n) {
        fetch(index.base + "search/summaries-" + n + ".json").then(function (r) { return r.json(); }).then(function (list) {
          list.forEach(function (s, j) {
            var d = docs[n * index.shard_size + j];
            if (d) { d.summary = s; d.sumWords = " " + words(s).join(" "); }
          });
          if (input.value.trim()) run();
        }).catch(function () {});
      })(i);
    }
  }
  // A word scores where it starts a word of a field: title 3, names 2, summary 1.
  function score(d, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = " " + terms[i], s = 0;
      if (d.title.indexOf(t) >= 0) s += 3;
      if (d.names.indexOf(t) >= 0) s += 2;
      if (d.sumWords && d.sumWords.indexOf(t) >= 0) s += 1;
      if (s === 0) return 0;
      total += s;
    }
    return total;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function run() {
    var q = input.value.trim();
    results.textContent = "";
    if (!q) { status.textContent = "Type to search."; return; }
    var terms = words(q);
    var hits = [];
    docs.forEach(function (d) {
      var s = score(d, terms);
      if (s > 0) hits.push([s, d]);
    });
    hits.sort(function (x, y) { return y[0] - x[0] || (x[1].a[2] < y[1].a[2] ? 1 : x[1].a[2] > y[1].a[2] ? -1 : 0); });
    status.textContent = hits.length === 0 ? "No articles match \u201c" + q + "\u201d." :
      hits.length + (hits.length === 1 ? " article matches." : " articles match.") + (hits.length > 50 ? " Showing the best 50." : "");
    hits.slice(0, 50).forEach(function (h) {
      var d = h[1], a = d.a;
      var li = el("li"), card = el("article", "card"), title = el("h2", "card-title"), link = el("a", null, a[0]);
      link.href = href(a);
      title.appendChild(link);
      card.appendChild(title);
      var meta = a[2] + (a[3] >= 0 ? " \u00b7 " + index.sources[a[3]] : "");
      card.appendChild(el("p", "meta", meta));
      if (d.summary) card.appendChild(el("p", "summary", d.summary));
      li.appendChild(card);
      results.appendChild(li);
    });
  }
  // Arrow keys move between the box and the results.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    var links = Array.prototype.slice.call(results.querySelectorAll("a"));
    if (!links.length) return;
    var i = links.indexOf(document.activeElement);
    if (document.activeElement === input && e.key === "ArrowDown") { links[0].focus(); e.preventDefault(); }
    else if (i >= 0) {
      e.preventDefault();
      if (e.key === "ArrowDown" && i + 1 < links.length) links[i + 1].focus();
      else if (e.key === "ArrowUp") (i === 0 ? input : links[i - 1]).focus();
    }
  });
  input.closest("form").addEventListener("submit", function (e) { e.preventDefault(); run(); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { if (docs) { loadShards(); run(); } }, 80);
  });
  status.textContent = "Loading the index\u2026";
  fetch(indexUrl).then(function (r) { return r.json(); }).then(function (data) {
    index = data;
    prepare();
    var q = new URLSearchParams(location.search).get("q");
    if (q) input.value = q;
    status.textContent = index.articles.length + " articles. Type to search.";
    if (input.value.trim()) { loadShards(); run(); }
  }).catch(function () { status.textContent = "The search index could not be loaded."; });
})();
