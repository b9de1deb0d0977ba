// Search, from the box in every page's header and on the search page. Without this script the box is a
// form that opens the search page, which says that search needs JavaScript.
//
// No fetch, no eval, no WebAssembly: the index files (search/, see generator/search.py) are classic
// scripts that call briefingSearchData(name, value), so the search works on any static host, at any
// sub-path, from disk (file://) and under the pages' Content-Security-Policy. The site's root is
// taken from this script's own address (<root>/assets/search.js).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.Promise || !String.prototype.normalize) { return; }
  var ROOT = new URL("../", script.src);
  var DEBOUNCE = 120, IN_BOX = 8, ON_PAGE = 20, MAX_PREFIX_FILES = 6;
  var KEEP = /[\u3099\u309a]/;
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2fa1f}]+/gu;
  var WIDE = /[\u3040-\u9fff\uac00-\ud7a3]/;

  // ---- loading the index ---------------------------------------------------------------------------
  var waiting = {}, loaded = {};
  window.briefingSearchData = function (name, value) {
    loaded[name] = value;
    if (waiting[name]) { waiting[name].resolve(value); }
  };
  function load(name) {
    if (!waiting[name]) {
      var d = {};
      d.promise = new Promise(function (resolve, reject) { d.resolve = resolve; d.reject = reject; });
      waiting[name] = d;
      if (name in loaded) { d.resolve(loaded[name]); return d.promise; }
      var s = document.createElement("script");
      s.src = new URL("search/" + (name === "meta" ? "meta" : name.charAt(0) + "/" + name.slice(1)) + ".js", ROOT).href;
      s.async = true;
      s.onerror = function () { delete waiting[name]; s.remove(); d.reject(new Error("cannot load " + s.src)); };
      s.onload = function () { s.remove(); if (!(name in loaded)) { delete waiting[name]; d.reject(new Error("empty " + s.src)); } };
      document.head.appendChild(s);
    }
    return waiting[name].promise;
  }
  var meta = null;
  function getMeta() { return load("meta").then(function (m) { meta = m; return m; }); }

  // ---- words, exactly as generator/search.py cuts them ---------------------------------------------
  function fold(text) {
    var t = text.normalize("NFKC").toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");
    if (/^[\x00-\x7f]*$/.test(t)) { return t; }
    return t.normalize("NFD").replace(/\p{Mn}/gu, function (c) { return KEEP.test(c) ? c : ""; }).normalize("NFC");
  }
  function terms(text) {
    var out = [];
    (fold(text).match(/[\p{L}\p{N}]+/gu) || []).forEach(function (w) {
      var pos = 0, m;
      CJK.lastIndex = 0;
      while ((m = CJK.exec(w))) {
        if (m.index > pos) { out.push({ t: w.slice(pos, m.index), cjk: false }); }
        var chars = Array.from(m[0]);
        if (chars.length === 1) { out.push({ t: m[0], cjk: true }); }
        for (var i = 0; i + 1 < chars.length; i++) { out.push({ t: chars[i] + chars[i + 1], cjk: true }); }
        pos = m.index + m[0].length;
      }
      if (pos < w.length) { out.push({ t: w.slice(pos), cjk: false }); }
    });
    return out.map(function (x) { x.prefix = x.cjk || Array.from(x.t).length >= 2; return x; });
  }

  // ---- the index -------------------------------------------------------------------------------------
  function lastAtOrBefore(list, value) {
    var lo = -1, hi = list.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (list[mid] <= value) { lo = mid; } else { hi = mid - 1; } }
    return lo;
  }
  function shardsFor(term) {
    var i = lastAtOrBefore(meta.shards, term.t), need = i >= 0 ? [i] : [];
    for (var j = i + 1; term.prefix && j < meta.shards.length && meta.shards[j].indexOf(term.t) === 0 &&
         need.length < MAX_PREFIX_FILES; j++) { need.push(j); }
    return need;
  }
  function decode(list) {
    var out = [], d = -1;
    for (var i = 0; i < list.length; i++) {
      var v = list[i];
      if (v > 0) { d += v; out.push(d, 1); } else { d -= v; out.push(d, list[++i]); }
    }
    return out;
  }
  // -> Promise of {terms, hits: [[result number, score], ...] best first}
  function search(query) {
    var ts = terms(query);
    if (!ts.length) { return Promise.resolve({ terms: [], hits: [] }); }
    return getMeta().then(function () {
      ts.forEach(function (t) { t.shards = shardsFor(t); });
      var names = {};
      ts.forEach(function (t) { t.shards.forEach(function (s) { names[meta.shard_files[s]] = true; }); });
      return Promise.all(Object.keys(names).map(load)).then(function () {
        var total = null;
        ts.forEach(function (t) {
          var scores = new Map();
          t.shards.forEach(function (s) {
            var shard = loaded[meta.shard_files[s]];
            Object.keys(shard).forEach(function (tok) {
              var exact = tok === t.t;
              if (!exact && !(t.prefix && tok.indexOf(t.t) === 0)) { return; }
              var list = decode(shard[tok]), idf = Math.log(1 + meta.n / (list.length / 2)), f = exact ? 1 : 0.5;
              for (var i = 0; i < list.length; i += 2) {
                var v = list[i + 1] * idf * f, old = scores.get(list[i]);
                if (old === undefined || v > old) { scores.set(list[i], v); }
              }
            });
          });
          if (total === null) { total = scores; return; }
          var both = new Map();
          total.forEach(function (v, d) { var w = scores.get(d); if (w !== undefined) { both.set(d, v + w); } });
          total = both;
        });
        var hits = Array.from(total).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
        return { terms: ts, hits: hits };
      });
    });
  }
  // -> Promise of [kind, title, url, names, text]
  function result(number) {
    var k = lastAtOrBefore(meta.docs, number);
    return load(meta.doc_files[k]).then(function (chunk) { return chunk[number - meta.docs[k]]; });
  }

  // ---- drawing results -----------------------------------------------------------------------------
  function matches(word, ts) {
    var w = fold(word);
    return ts.some(function (t) {
      return w === t.t || (t.prefix && w.indexOf(t.t) === 0) || (WIDE.test(t.t) && w.indexOf(t.t) >= 0);
    });
  }
  // text with <mark> on every word a term finds -> [fragment, whether one was found]
  function highlight(text, ts) {
    var frag = document.createDocumentFragment(), re = /[\p{L}\p{N}\p{M}]+/gu, pos = 0, m, found = false;
    while ((m = re.exec(text))) {
      if (!matches(m[0], ts)) { continue; }
      found = true;
      if (m.index > pos) { frag.appendChild(document.createTextNode(text.slice(pos, m.index))); }
      frag.appendChild(el("mark", "", m[0]));
      pos = m.index + m[0].length;
    }
    if (pos < text.length) { frag.appendChild(document.createTextNode(text.slice(pos))); }
    return [frag, found];
  }
  function excerpt(text, ts) {
    var re = /[\p{L}\p{N}\p{M}]+/gu, m;
    while ((m = re.exec(text))) {
      if (!matches(m[0], ts)) { continue; }
      var start = Math.max(0, m.index - 70), end = Math.min(text.length, m.index + 110);
      if (start > 0) { var a = text.indexOf(" ", start); if (a > 0 && a < m.index) { start = a + 1; } }
      if (end < text.length) { var b = text.lastIndexOf(" ", end); if (b > m.index) { end = b; } }
      return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
    }
    return text.length > 180 ? text.slice(0, Math.max(text.lastIndexOf(" ", 180), 1)) + " …" : text;
  }
  function el(tag, cls, child) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (child) { e.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    return e;
  }
  function hit(r, ts) {
    var a = el("a", "search-hit");
    a.href = new URL(r[2], ROOT).href;
    a.appendChild(el("span", "search-kind", meta.kinds[r[0]]));
    a.appendChild(document.createTextNode(" "));
    a.appendChild(el("span", "search-title", highlight(r[1], ts)[0]));
    if (r[3]) { a.appendChild(el("span", "search-names", highlight(r[3], ts)[0])); }
    if (r[4]) { a.appendChild(el("span", "search-snippet", highlight(excerpt(r[4], ts), ts)[0])); }
    return a;
  }

  // ---- one search box --------------------------------------------------------------------------------
  // In the header: the first results under the box, and Enter opens the search page with all of them.
  // On the search page (data-search-page): every result, more on request, the query in the address.
  function setup(form) {
    var input = form.querySelector("input[type=search]");
    var panel = form.querySelector(".search-panel");
    var list = form.querySelector(".search-results");
    var status = form.querySelector(".search-status");
    var more = form.querySelector(".search-more");
    var all = form.querySelector(".search-all");
    if (!input || !panel || !list || !status) { return; }
    var onPage = form.hasAttribute("data-search-page");
    var step = onPage ? ON_PAGE : IN_BOX;
    var seq = 0, timer = 0, current = null, shown = 0;

    function pageFor(q) {
      var url = new URL(form.getAttribute("action"), location.href);
      url.search = q ? "?q=" + encodeURIComponent(q) : "";
      return url.href;
    }
    function close() { if (!onPage) { panel.hidden = true; } }
    function open() { panel.hidden = false; }
    function show(from) {
      var upto = Math.min(current.hits.length, from + step), mine = seq;
      for (var i = from; i < upto; i++) {
        var li = el("li", "search-pending", "…");
        list.appendChild(li);
        (function (li, number) {
          result(number).then(function (r) {
            if (mine !== seq) { return; }
            li.textContent = "";
            li.className = "";
            li.appendChild(hit(r, current.terms));
          }, failed);
        })(li, current.hits[i][0]);
      }
      shown = upto;
      if (more) { more.hidden = !onPage || shown >= current.hits.length; }
      if (all) {
        all.hidden = onPage || current.hits.length <= shown;
        all.href = pageFor(input.value.trim());
        all.textContent = "All " + current.hits.length + " results";
      }
    }
    function failed() {
      status.textContent = "Search is not available: its index (search/meta.js) could not be loaded." +
        (location.protocol === "file:" ? " Build the site again, or open it through a web server." : "");
      list.textContent = "";
      open();
    }
    function run() {
      var q = input.value.trim(), mine = ++seq;
      if (onPage) {
        try { history.replaceState(history.state, "", pageFor(q)); } catch (e) { /* a page from disk may refuse */ }
      }
      if (!q) {
        list.textContent = ""; status.textContent = "";
        if (more) { more.hidden = true; }
        if (all) { all.hidden = true; }
        close();
        return;
      }
      status.textContent = "Searching…";
      open();
      search(q).then(function (r) {
        if (mine !== seq) { return; }
        current = r;
        list.textContent = "";
        var n = r.hits.length;
        status.textContent = n ? n + (n === 1 ? " result" : " results") + " for “" + q + "”" : "No results for “" + q + "”";
        show(0);
      }, function () { if (mine === seq) { failed(); } });
    }
    function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, DEBOUNCE); });
    input.addEventListener("focus", function () { getMeta().catch(function () {}); if (!onPage && list.firstChild) { open(); } });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (onPage) { clearTimeout(timer); run(); } else { location.href = pageFor(input.value.trim()); }
    });
    if (more) {
      more.addEventListener("click", function () {
        var first = shown;
        show(shown);
        var li = list.children[first];
        if (li) { li.tabIndex = -1; li.focus(); }
      });
    }
    form.addEventListener("keydown", function (e) {
      var l = links(), i = l.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && (document.activeElement === input || i >= 0)) {
        if (i + 1 < l.length) { l[i + 1].focus(); e.preventDefault(); }
      } else if (e.key === "ArrowUp" && i >= 0) {
        (i > 0 ? l[i - 1] : input).focus(); e.preventDefault();
      } else if (e.key === "Escape") {
        if (document.activeElement === input && (panel.hidden || onPage)) { input.value = ""; run(); }
        close(); input.focus(); e.preventDefault();
      }
    });
    if (!onPage) {
      form.addEventListener("focusout", function (e) { if (!form.contains(e.relatedTarget)) { close(); } });
    }
    if (onPage) {
      var q = new URLSearchParams(location.search).get("q");
      if (q) { input.value = q; run(); }
    }
    form.classList.add("search-ready");
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form.site-search"), setup);
    document.addEventListener("keydown", function (e) {
      var active = document.activeElement;
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey ||
          (active && (/^(input|textarea|select)$/i.test(active.tagName) || active.isContentEditable))) { return; }
      var box = document.querySelector("form.site-search[data-search-page] input") || document.querySelector("form.site-search input");
      if (box) { box.focus(); e.preventDefault(); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
