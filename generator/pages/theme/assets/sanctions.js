// The sanctions page's filters: without this script every designation shows. The filter lives in the address
// (?by=un-security-council&program=DPRK), so a filtered list can be linked and bookmarked: `by` is an
// authority's id, `program` any part of a programme's name (case and spacing aside). The status line says
// what is applied, a button clears it, back and forward step through the choices of authority, and the links
// to the other pages keep the filter.
(function () {
  "use strict";
  var form = document.getElementById("sanctions-filters");
  if (!form) { return; }
  var by = document.getElementById("f-by");
  var program = document.getElementById("f-program");
  var clear = document.getElementById("f-clear");
  var status = document.getElementById("f-status");
  var entries = document.querySelectorAll("li.designation");
  var pageLinks = document.querySelectorAll("nav.pagination a[href]");
  function folded(text) { return text.toLocaleLowerCase().replace(/\s+/g, " ").trim(); }
  function count(n) { return n + (n === 1 ? " designation" : " designations"); }
  function query() {
    var params = new URLSearchParams();
    if (by.value) { params.set("by", by.value); }
    if (program.value.trim()) { params.set("program", program.value.trim()); }
    var text = params.toString();
    return text ? "?" + text : "";
  }
  function fromAddress() {
    var params = new URLSearchParams(window.location.search);
    var wanted = params.get("by") || "";
    var known = Array.prototype.some.call(by.options, function (o) { return o.value === wanted; });
    by.value = known ? wanted : "";  // an authority this page does not know: every designation
    program.value = params.get("program") || "";
  }
  function apply() {
    var who = by.value, what = folded(program.value), shown = 0, applied = [];
    entries.forEach(function (li) {
      var ok = (!who || li.getAttribute("data-by") === who) &&
        (!what || folded(li.getAttribute("data-program") || "").indexOf(what) >= 0);
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (who) { applied.push("listed by " + by.options[by.selectedIndex].text); }
    if (what) { applied.push("under a programme that contains “" + program.value.trim() + "”"); }
    status.textContent = applied.length ? shown + " of " + count(entries.length) + " shown: " + applied.join(", ")
      : count(entries.length);
    clear.hidden = !applied.length;
    var q = query();
    pageLinks.forEach(function (a) { a.setAttribute("href", a.getAttribute("href").split("?")[0] + q); });
  }
  function remember(replace) {
    try {  // (a page opened from disk may refuse to change its address: the filter still applies)
      var address = window.location.pathname + query() + window.location.hash;
      if (replace) { window.history.replaceState(null, "", address); } else { window.history.pushState(null, "", address); }
    } catch (e) { /* keep the filter without the address */ }
  }
  by.addEventListener("change", function () { apply(); remember(false); });
  program.addEventListener("input", function () { apply(); remember(true); });
  clear.addEventListener("click", function () {
    by.value = "";
    program.value = "";
    apply();
    remember(false);
    by.focus();  // the button hides itself: the keyboard stays in the form
  });
  window.addEventListener("popstate", function () { fromAddress(); apply(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  fromAddress();
  apply();
}());
