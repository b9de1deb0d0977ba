// briefing search (prototype, candidate B). Loaded on every page with <script src="…/assets/search.js" defer>.
// No inline code, no eval, no WebAssembly, no fetch: the index files are classic scripts that call
// window.briefingSearchData(key, value), so the search works over http(s), at any sub-path and from file://
// under the pages' CSP (default-src 'self').
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var ROOT = new URL("../", script.src);          // this file lives in <root>/assets/
  var SHOWN = 10, DEBOUNCE = 120, MAX_PREFIX_FILES = 6;
  var KEEP = /[\u3099\u309a]/;
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2fa1f}]+/gu;

  // ---- loading -----------------------------------------------------------------------------------
  var waiting = {}, loaded = {};
  window.briefingSearchData = function (key, value) {
    loaded[key] = value;
    if (waiting[key]) { waiting[key].resolve(value); }
  };
  function load(key, path) {
    if (!waiting[key]) {
      var d = {};
      d.promise = new Promise(function (resolve, reject) { d.resolve = resolve; d.reject = reject; });
      waiting[key] = d;
      if (key in loaded) { d.resolve(loaded[key]); return d.promise; }
      var s = document.createElement("script");
      s.src = new URL("search/" + path, ROOT).href;
      s.async = true;
      s.onerror = function () { delete waiting[key]; s.remove(); d.reject(new Error("cannot load " + path)); };
      s.onload = function () { s.remove(); };
      document.head.appendChild(s);
    }
    return waiting[key].promise;
  }
  var meta = null;
  function getMeta() { return load("meta", "meta.js").then(function (m) { meta = m; return m; }); }

  // ---- the same normalisation as make_index.py ---------------------------------------------------
  function fold(text) {
    var t = text.normalize("NFKC").toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");
    if (/^[\x00-\x7f]*$/.test(t)) return t;
    return t.normalize("NFD").replace(/\p{Mn}/gu, function (c) { return KEEP.test(c) ? c : ""; }).normalize("NFC");
  }
  function tokens(text) {
    var out = [];
    (fold(text).match(/[\p{L}\p{N}]+/gu) || []).forEach(function (w) {
      var pos = 0, m;
      CJK.lastIndex = 0;
      while ((m = CJK.exec(w))) {
        if (m.index > pos) out.push({ t: w.slice(pos, m.index), cjk: false });
        var run = m[0], chars = Array.from(run);
        if (chars.length === 1) out.push({ t: run, cjk: true });
        for (var i = 0; i + 1 < chars.length; i++) out.push({ t: chars[i] + chars[i + 1], cjk: true });
        pos = m.index + run.length;
      }
      if (pos < w.length) out.push({ t: w.slice(pos), cjk: false });
    });
    return out;
  }

  // ---- the index ---------------------------------------------------------------------------------
  // shard k holds the tokens from meta.shards[k] (its first) up to meta.shards[k + 1], sorted as JS sorts
  function lastAtOrBefore(t) {
    var b = meta.shards, lo = -1, hi = b.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (b[mid] <= t) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function shardsFor(term, prefix) {
    var i = lastAtOrBefore(term), need = i >= 0 ? [i] : [];
    if (prefix) {  // the tokens that start with term run on through the next shards while they start with it
      for (var j = i + 1; j < meta.shards.length && meta.shards[j].indexOf(term) === 0 && need.length < MAX_PREFIX_FILES; j++) need.push(j);
    }
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
  var decoded = {};
  function postingsOf(shard, token) {
    var key = shard + " " + token;
    if (!decoded[key]) decoded[key] = decode(loaded["s" + shard][token]);
    return decoded[key];
  }

  function search(query) {
    var terms = tokens(query);
    if (!terms.length) return Promise.resolve({ terms: [], hits: [] });
    return getMeta().then(function () {
      var plans = terms.map(function (t, i) {
        var prefix = t.cjk || Array.from(t.t).length >= 2;
        return { term: t.t, prefix: prefix, shards: shardsFor(t.t, prefix) };
      });
      var files = {};
      plans.forEach(function (p) { p.shards.forEach(function (s) { files[s] = true; }); });
      return Promise.all(Object.keys(files).map(function (s) { return load("s" + s, "s/" + s + ".js"); })).then(function () {
        var total = null;
        plans.forEach(function (p) {
          var scores = new Map();
          p.shards.forEach(function (s) {
            var sh = loaded["s" + s];
            for (var tok in sh) {
              var exact = tok === p.term;
              if (!exact && !(p.prefix && tok.indexOf(p.term) === 0)) continue;
              var list = postingsOf(s, tok), df = list.length / 2;
              var idf = Math.log(1 + meta.n / df), f = exact ? 1 : 0.5;
              for (var i = 0; i < list.length; i += 2) {
                var v = list[i + 1] * idf * f, old = scores.get(list[i]);
                if (old === undefined || v > old) scores.set(list[i], v);
              }
            }
          });
          if (total === null) total = scores;
          else {
            var next = new Map();
            total.forEach(function (v, d) { var w = scores.get(d); if (w !== undefined) next.set(d, v + w); });
            total = next;
          }
        });
        var hits = Array.from(total || []).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
        return { terms: plans, hits: hits };
      });
    });
  }
  function doc(id) {
    var lo = 0, hi = meta.docs.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (meta.docs[mid] <= id) lo = mid; else hi = mid - 1; }
    return load("d" + lo, "d/" + lo + ".js").then(function (chunk) { return chunk[id - meta.docs[lo]]; });
  }

  // ---- showing results ---------------------------------------------------------------------------
  function matches(word, plans) {
    var w = fold(word);
    return plans.some(function (p) {
      return w === p.term || (p.prefix && w.indexOf(p.term) === 0) || (/[\u3040-\u9fff\uac00-\ud7a3]/.test(p.term) && w.indexOf(p.term) >= 0);
    });
  }
  // text -> DOM nodes with <mark> on every word that matches; returns [nodes, found]
  function highlight(text, plans) {
    var frag = document.createDocumentFragment(), re = /[\p{L}\p{N}\p{M}]+/gu, pos = 0, m, found = false;
    while ((m = re.exec(text))) {
      if (!matches(m[0], plans)) continue;
      found = true;
      if (m.index > pos) frag.appendChild(document.createTextNode(text.slice(pos, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      frag.appendChild(mark);
      pos = m.index + m[0].length;
    }
    if (pos < text.length) frag.appendChild(document.createTextNode(text.slice(pos)));
    return [frag, found];
  }
  function excerpt(text, plans) {
    if (!text) return "";
    var re = /[\p{L}\p{N}\p{M}]+/gu, m;
    while ((m = re.exec(text))) {
      if (matches(m[0], plans)) {
        var start = Math.max(0, m.index - 70), end = Math.min(text.length, m.index + 110);
        if (start > 0) { var sp = text.indexOf(" ", start); if (sp > 0 && sp < m.index) start = sp + 1; }
        if (end < text.length) { var sp2 = text.lastIndexOf(" ", end); if (sp2 > m.index) end = sp2; }
        return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
      }
    }
    return text.length > 180 ? text.slice(0, text.lastIndexOf(" ", 180)) + " …" : text;
  }
  function el(tag, cls, child) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (child) e.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    return e;
  }
  function fill(li, d, plans) {
    var a = el("a", "search-hit");
    a.href = new URL(d[2], ROOT).href;
    a.appendChild(el("span", "search-kind", meta.kinds[d[0]]));
    a.appendChild(el("span", "search-title", highlight(d[1], plans)[0]));
    if (d[3]) {
      var names = highlight(d[3], plans);
      if (names[1] || d[0] === 1) a.appendChild(el("span", "search-names", names[0]));
    }
    if (d[4]) a.appendChild(el("span", "search-snippet", highlight(excerpt(d[4], plans), plans)[0]));
    li.textContent = "";
    li.appendChild(a);
    li.classList.remove("search-pending");
  }

  function setup(box) {
    var input = box.querySelector("input[type=search]");
    var list = box.querySelector(".search-results");
    var status = box.querySelector(".search-status");
    var more = box.querySelector(".search-more");
    if (!input || !list || !status) return;
    var seq = 0, timer = 0, current = null, shown = 0;
    box.hidden = false;

    function show(result, from, plans) {
      var upto = Math.min(result.hits.length, from + SHOWN);
      for (var i = from; i < upto; i++) {
        var li = el("li", "search-pending", "…");
        list.appendChild(li);
        (function (li, id, mine) {
          doc(id).then(function (d) { if (mine === seq) fill(li, d, plans); });
        })(li, result.hits[i][0], seq);
      }
      shown = upto;
      if (more) more.hidden = shown >= result.hits.length;
    }
    function run() {
      var q = input.value.trim(), mine = ++seq;
      if (!q) { list.textContent = ""; list.hidden = true; status.textContent = ""; if (more) more.hidden = true; return; }
      status.textContent = "Searching…";
      search(q).then(function (r) {
        if (mine !== seq) return;
        current = r;
        list.textContent = "";
        list.hidden = !r.hits.length;
        status.textContent = r.hits.length ? r.hits.length + (r.hits.length === 1 ? " result" : " results") : "No results for “" + q + "”";
        show(r, 0, r.terms);
      }, function () {
        if (mine === seq) status.textContent = "Search is not available (its index could not be loaded).";
      });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, DEBOUNCE); });
    input.addEventListener("focus", function () { getMeta().catch(function () {}); }, { once: true });
    if (more) more.addEventListener("click", function () {
      if (!current) return;
      var first = shown;
      show(current, shown, current.terms);
      var next = list.children[first];
      if (next) { var mine = seq; doc(current.hits[first][0]).then(function () { if (mine === seq && next.firstChild && next.firstChild.focus) next.firstChild.focus(); }); }
    });
    function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { var l = links(); if (l.length) { l[0].focus(); e.preventDefault(); } }
      else if (e.key === "Escape") { input.value = ""; run(); }
      else if (e.key === "Enter") { e.preventDefault(); var f = links()[0]; if (f) f.click(); }
    });
    list.addEventListener("keydown", function (e) {
      var l = links(), i = l.indexOf(document.activeElement);
      if (i < 0) return;
      if (e.key === "ArrowDown" && i + 1 < l.length) { l[i + 1].focus(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { (i ? l[i - 1] : input).focus(); e.preventDefault(); }
      else if (e.key === "Escape") { input.focus(); e.preventDefault(); }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "/" && document.activeElement !== input && !/^(input|textarea|select)$/i.test(document.activeElement.tagName)) {
        input.focus(); e.preventDefault();
      }
    });
  }
  function start() { Array.prototype.forEach.call(document.querySelectorAll(".site-search"), setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  window.briefingSearch = { search: function (q) { return search(q); }, doc: function (id) { return getMeta().then(function () { return doc(id); }); } };
})();
