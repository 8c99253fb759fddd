(function () {
  "use strict";
  // Client-side filter: words (all must match) over each note's data-text, and an ISO date
  // range over its data-date. Runs from file:// and fetches nothing.
  var form = document.getElementById("filter");
  var q = document.getElementById("q"), from = document.getElementById("from"), to = document.getElementById("to");
  var count = document.getElementById("count"), none = document.getElementById("none");
  var notes = Array.prototype.slice.call(document.querySelectorAll("[data-note]"));
  var series = Array.prototype.slice.call(document.querySelectorAll("[data-series]"));
  var texts = notes.map(function (li) { return li.getAttribute("data-text").toLowerCase(); });

  function apply() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var start = from.value, end = to.value, shown = 0;
    notes.forEach(function (li, i) {
      var date = li.getAttribute("data-date");
      var ok = words.every(function (w) { return texts[i].indexOf(w) >= 0; }) &&
        (!start || date >= start) && (!end || date <= end);
      li.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    series.forEach(function (s) { s.hidden = !s.querySelector("[data-note]:not([hidden])"); });
    count.textContent = shown === notes.length ? notes.length + " notes" : shown + " of " + notes.length + " notes";
    none.hidden = shown > 0 || notes.length === 0;
  }

  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  [q, from, to].forEach(function (input) {
    input.addEventListener("input", apply);
    input.addEventListener("change", apply);
  });
  apply();
})();
