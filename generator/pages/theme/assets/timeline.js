// Timeline filters: without this script the full list shows, and every event stays reachable.
// The chosen actor and topic live in the address (?actor=kim-jong-un&topic=sanctions), so a filtered
// timeline can be linked and bookmarked; back and forward step through the choices; links to the
// other years keep them.
(function () {
  "use strict";
  var form = document.getElementById("timeline-filters");
  if (!form) { return; }
  var selects = form.querySelectorAll("select[data-filter]");
  var events = document.querySelectorAll("li.event");
  var years = document.querySelectorAll("section.year");
  var yearLinks = document.querySelectorAll("nav.years a[href]");
  var status = document.getElementById("f-status");
  function query() {
    var params = new URLSearchParams();
    selects.forEach(function (s) { if (s.value) { params.set(s.name, s.value); } });
    var text = params.toString();
    return text ? "?" + text : "";
  }
  function fromAddress() {
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (s) {
      var wanted = params.get(s.name) || "";
      var known = Array.prototype.some.call(s.options, function (o) { return o.value === wanted; });
      s.value = known ? wanted : "";
    });
  }
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
    var q = query();
    yearLinks.forEach(function (a) { a.setAttribute("href", a.getAttribute("href").split("?")[0] + q); });
  }
  selects.forEach(function (s) {
    s.addEventListener("change", function () {
      apply();
      try {  // (a page opened from disk may refuse to change its address: the filter still applies)
        window.history.pushState(null, "", window.location.pathname + query() + window.location.hash);
      } catch (e) { /* keep the filter without the address */ }
    });
  });
  window.addEventListener("popstate", function () { fromAddress(); apply(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  fromAddress();
  apply();
}());
