// Timeline filters: without this script the full list shows, and every event stays reachable.
(function () {
  "use strict";
  var form = document.getElementById("timeline-filters");
  if (!form) { return; }
  var selects = form.querySelectorAll("select[data-filter]");
  var events = document.querySelectorAll("li.event");
  var years = document.querySelectorAll("section.year");
  var status = document.getElementById("f-status");
  function apply() {
    var shown = 0;
    events.forEach(function (li) {
      var ok = true;
      selects.forEach(function (s) {
        if (s.value && (" " + (li.getAttribute("data-" + s.dataset.filter) || "") + " ").indexOf(" " + s.value + " ") < 0) { ok = false; }
      });
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    years.forEach(function (y) { y.hidden = !y.querySelector("li.event:not([hidden])"); });
    status.textContent = shown + " of " + events.length + " events";
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  apply();
}());
