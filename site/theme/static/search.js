// Full-text search over the index mystmd built (search-index.js, loaded as a script so it also
// works from file://). Every word typed must occur in a record's headings or text.
(function () {
  "use strict";
  var records = window.DOCKERLAB_SEARCH || [];
  var input = document.getElementById("search");
  var panel = document.getElementById("search-results");
  if (!input || !panel) return;

  function escape(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function snippet(text, word) {
    var at = text.toLowerCase().indexOf(word);
    var start = Math.max(0, at - 60);
    var part = (start > 0 ? "…" : "") + text.slice(start, start + 180) + (start + 180 < text.length ? "…" : "");
    var safe = escape(part);
    return word ? safe.replace(new RegExp("(" + word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "ig"), "<mark>$1</mark>") : safe;
  }

  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { panel.hidden = true; panel.innerHTML = ""; return; }
    var hits = [];
    records.forEach(function (record) {
      var heading = record.hierarchy.join(" › ");
      var haystack = (heading + " " + record.content).toLowerCase();
      if (words.every(function (word) { return haystack.indexOf(word) !== -1; })) {
        var score = words.reduce(function (sum, word) { return sum + (heading.toLowerCase().indexOf(word) !== -1 ? 2 : 1); }, 0);
        hits.push({ record: record, heading: heading, score: score });
      }
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    var shown = hits.slice(0, 30).map(function (hit) {
      return "<li><a href=\"" + escape(hit.record.url) + "\">" + escape(hit.record.hierarchy[hit.record.hierarchy.length - 1] || hit.heading) +
        "</a><div class=\"where\">" + escape(hit.heading) + "</div><div>" + snippet(hit.record.content || "", words[0]) + "</div></li>";
    });
    panel.innerHTML = "<p><strong>" + hits.length + (hits.length === 1 ? " result" : " results") + "</strong> for “" + escape(query) + "”</p>" +
      (shown.length ? "<ol>" + shown.join("") + "</ol>" : "");
    panel.hidden = false;
  }

  input.addEventListener("input", function () { search(input.value); });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; search(initial); }
})();
