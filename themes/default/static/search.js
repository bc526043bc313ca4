/*
 * sendsite search page: queries the Pagefind index built by `sendsite build`.
 *
 * - The query and filters live in the address (search/?q=…&area=…&kind=…&status=…),
 *   so a search can be bookmarked or shared; the header's search box is a plain
 *   GET form that lands here.
 * - Everything is fetched relative to this page, so the site works from any
 *   sub-path; nothing is fetched from elsewhere. Pagefind downloads only the
 *   index chunks and result fragments a query needs.
 * - Acronyms: the index records the other forms of every glossary term a record
 *   mentions (hidden "aka" metadata), so "SALT" and "speech and language therapy"
 *   find each other. A query that is exactly a short acronym is searched as a
 *   whole word, as Pagefind otherwise matches every word it starts ("LA" would
 *   find "language").
 * - Common words ("and", "the", "of"…) are left out of a query, unless quoted or
 *   nothing else (see meaningful): each matches nearly every page and costs the
 *   download of a large index chunk.
 * - Typos: a word the index does not know is replaced by the nearest known word
 *   (from search/words/<letter>.json), and the page says so.
 * - Results: the index holds one Pagefind page per site page, so a result is a report
 *   (or an area, topic or page); under it, the report's sections that match, best
 *   first, each linked to its anchor with its excerpt and its matching milestones,
 *   actions and risks (Pagefind's sub-results: sections and items are headings).
 * - Newest first: a big site's index keeps its newest reports (and every page that is not
 *   a report) apart from the older reports' (see partsOf). A search looks in the newest
 *   first and says so, with a button to search the older ones too (`older=1` in the
 *   address); if nothing newer matches, it searches the older ones at once.
 * - Accessibility: a real label, the result count in a role="status" region,
 *   results as a list of headed links, filters as labelled checkboxes.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var ITEMS_SHOWN = 3;
  var SECTIONS_SHOWN = 3;
  var TYPING_DELAY = 250;
  var GROUPS = ["area", "kind", "status"];
  var STOP_WORDS = new RegExp("^(?:a|an|and|are|as|at|be|but|by|for|from|has|have|in|into|is|it|" +
    "its|of|on|or|so|that|the|their|these|this|to|was|were|which|will|with)$", "i");

  var box = document.querySelector("[data-search]");
  if (!box) { return; }
  var needs = box.querySelector("[data-search-needs]");
  if (window.location.protocol === "file:") {
    needs.hidden = true;
    box.querySelector("[data-search-file]").hidden = false;
    return;
  }

  var form = box.querySelector("[data-search-form]");
  var input = form.querySelector("#search-input");
  var statusEl = form.querySelector("[data-search-status]");
  var noteEl = form.querySelector("[data-search-note]");
  var list = form.querySelector("[data-search-results]");
  var more = form.querySelector("[data-search-more]");
  var filtersEl = form.querySelector("[data-search-filters]");
  var clearEl = form.querySelector("[data-search-clear]");
  // Absent from a site's own copy of an older search.html: then every part is searched.
  var scopeEl = form.querySelector("[data-search-scope]");
  var rootLink = box.getAttribute("data-site-root") || "./";
  var siteRoot = new URL(rootLink, document.baseURI);
  var synonyms = readSynonyms();

  needs.hidden = true;
  form.hidden = false;

  var pagefind = null;
  var loading = null;
  var hidden = {}; // result ids never shown (see load)
  var known = {}; // each part's {probe: its page's id in the index of words, mark: its number}
  var merged = []; // those of the parts searched (see find)
  var probing = false; // is the index of words merged?
  var sequence = 0;
  var current = null; // {results, shown, terms}
  var later = { parts: [], words: [], since: "", merging: null }; // the older reports' parts
  var wordLists = {};
  var typingTimer = null;

  // --- Pagefind ------------------------------------------------------------------------

  function load() {
    if (!loading) {
      var bundle = new URL("pagefind/", siteRoot);
      // A big site's index is in parts (see partsOf): the first is Pagefind itself,
      // the others are merged into it before any search, but for the older reports'.
      hidden = {};
      known = {};
      merged = [];
      probing = false;
      later = { parts: [], words: [], since: "", merging: null };
      var parts = partsOf(bundle);
      loading = import(new URL("pagefind.js", bundle).href).then(function (module) {
        pagefind = module;
        return pagefind.options({
          baseUrl: siteRoot.pathname,
          excerptLength: 26,
          ranking: { termSimilarity: 4.0, pageLength: 0.4, metaWeights: { title: 4.0, aka: 0.6,
            report: 0.3, section: 0.8, area: 0.3, kind: 0.3, status: 0.2, tone: 0.0,
            date: 0.0, due: 0.5, owner: 1.5 } }
        });
      }).then(function () { return pagefind.init(); }).then(function () {
        return parts.then(function (found) {
          merged = [known[bundle.href] || { probe: "", mark: "0" }];
          if (!scopeEl) { return mergeAll(found.now.concat(found.later), found.words); }
          later = { parts: found.later, words: found.words, since: found.since, merging: null };
          return mergeAll(found.now);
        });
      }).then(mergeRecent);
    }
    return loading;
  }

  /* The other parts of the index at `bundle` (a URL), from its sendsite-parts.json:
     {now: [URL, ...], later: the older reports' parts, since: the first date (ISO) of
     the first part's reports, words: [the index of words' URL] if any (see find)}. The
     pages of words are never shown: their results are "hidden". Each part's pages have
     the filter "part", its number. */
  function partsOf(bundle) {
    return fetch(new URL("sendsite-parts.json", bundle).href, { cache: "no-cache" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (data) {
        data = data || {};
        (data.hidden || []).forEach(function (id) { hidden[id] = true; });
        var older = data.later || [];
        function urls(names) { return names.map(function (name) { return new URL(name, bundle); }); }
        [bundle].concat(urls(data.parts || [])).forEach(function (url, n) {
          known[url.href] = { probe: (data.probes || [])[n] || "", mark: String(n) };
        });
        return {
          now: urls((data.parts || []).filter(function (name) { return older.indexOf(name) === -1; })),
          later: urls(older),
          words: urls(data.words ? [data.words] : []),
          since: older.length ? data.since || "" : ""
        };
      });
  }

  /* Merge the older reports' parts, once (a merged index cannot be taken out). */
  function widen() {
    if (!later.merging) { later.merging = mergeAll(later.parts, later.words); }
    return later.merging;
  }

  /* Are the older reports' parts left out of what is searched? */
  function narrow() { return later.parts.length > 0 && !later.merging; }

  /* Merge the parts at `bundles` (and the index of words at `words`, if any: its pages
     are never results, only probes). */
  function mergeAll(bundles, words) {
    bundles.forEach(function (url) { merged.push(known[url.href] || { probe: "", mark: "" }); });
    probing = probing || (words || []).length > 0;
    return Promise.all(bundles.concat(words || []).map(function (url) {
      return pagefind.mergeIndex(url.pathname, { baseUrl: siteRoot.pathname });
    }));
  }

  /* In the preview (`sendsite serve`) the pages saved since the whole index was made are
     in a small index of their own: merge it, and hide the whole index's results for those
     pages. A published site has one whole index and never asks. */
  var preview = !!document.querySelector("script[data-sendsite-preview]");
  var recent = { version: "", stale: {}, words: "" };

  function recentManifest() {
    if (!preview) { return Promise.resolve(null); }
    return fetch(new URL("pagefind-preview/stale.json", siteRoot).href, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .catch(function () { return null; });
  }

  function mergeRecent() {
    return recentManifest().then(function (text) {
      var data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      recent = { version: text || "", stale: {}, words: (data && data.bundle) || "" };
      if (!data) { return; }
      data.stale.forEach(function (id) { recent.stale[id] = true; });
      if (data.bundle) {
        var small = new URL(data.bundle, siteRoot);
        return partsOf(small).then(function (more) {
          return mergeAll([small].concat(more.now, more.later));
        });
      }
    });
  }

  /* Before a search in the preview: if the small index changed since it was merged,
     start Pagefind again with the new one (a merged index cannot be taken out). */
  function fresh() {
    if (!preview || !loading) { return load(); }
    return loading.then(recentManifest).then(function (text) {
      if ((text || "") === recent.version) { return; }
      wordLists = {};
      var old = pagefind;
      loading = null;
      return Promise.resolve(old && old.destroy ? old.destroy() : null).then(load);
    });
  }

  /* Pagefind's search, less the results a newer small index replaces and the pages of
     words. Newest first, an older reports' part that has no word beginning with a word
     of the query answers with the nearest word it has. Once they are searched, the
     index of words (a page of each part's words, and so of every word of the site) says
     which parts know every word of the query: its page of a part's words, that part's
     probe, matches it. If some part does not, the query is asked of those that do alone
     (filter "part"). A quoted phrase is matched exactly, never so; a part without a
     probe (the preview's small index) is kept. */
  function find(query, options) {
    return pagefind.search(query, options).then(function (found) {
      if (!probing || query === null || query.indexOf('"') !== -1) { return found; }
      var filters = (options && options.filters) || {};
      var asked = Object.keys(filters).length ? pagefind.search(query) : Promise.resolve(found);
      return asked.then(function (all) {
        var matched = {};
        all.results.forEach(function (r) { matched[r.id] = true; });
        var knowing = merged.filter(function (i) { return !i.probe || matched[i.probe]; });
        if (knowing.length === merged.length) { return found; }
        var marks = knowing.map(function (i) { return i.mark; });
        var only = Object.assign({}, filters, { part: { any: marks.length ? marks : ["-"] } });
        return pagefind.search(query, Object.assign({}, options, { filters: only }));
      });
    }).then(function (found) {
      found.results = found.results.filter(function (r) { return !recent.stale[r.id] && !hidden[r.id]; });
      return found;
    });
  }

  // --- the query -----------------------------------------------------------------------

  function readSynonyms() {
    var el = box.querySelector("[data-search-synonyms]");
    var groups = [];
    try { groups = JSON.parse(el ? el.textContent : "[]"); } catch (e) { groups = []; }
    var byForm = {};
    groups.forEach(function (forms) {
      forms.forEach(function (form) { byForm[fold(form)] = forms; });
    });
    return byForm;
  }

  function fold(text) {
    return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function isAcronym(word) {
    return word.length >= 2 && word.length <= 6 && /^[\p{L}\p{N}]+$/u.test(word) &&
      Object.prototype.hasOwnProperty.call(synonyms, fold(word)) &&
      synonyms[fold(word)].some(function (f) { return f.replace(/[^A-Z]/g, "").length >= 2 && fold(f) === fold(word); });
  }

  function words(query) {
    return query.split(/[^\p{L}\p{N}'’]+/u).filter(Boolean);
  }

  /* The query without the words too common to narrow it ("speech and language therapy"
     asks for "speech language therapy"), as search engines do: each would cost a large
     index chunk and match nearly every page. Kept: a phrase in quotes, a word in
     capitals ("IT"), and a query of nothing else. */
  function meaningful(query) {
    if (query.indexOf("\"") !== -1) { return query; }
    var tokens = query.split(/\s+/).filter(function (t) { return /[\p{L}\p{N}]/u.test(t); });
    var kept = tokens.filter(function (t) { return !isCommon(t); });
    return kept.length && kept.length < tokens.length ? kept.join(" ") : query;
  }

  /* Is a word (punctuation around it aside) one of STOP_WORDS, not typed in capitals? */
  function isCommon(token) {
    var w = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    return STOP_WORDS.test(w) && !(w.length >= 2 && w === w.toUpperCase());
  }

  /* What to ask Pagefind: the meaningful words; a lone short acronym as an exact word. */
  function pagefindQuery(query) {
    var asked = meaningful(query);
    var ws = words(asked);
    if (ws.length === 1 && ws[0].length <= 3 && isAcronym(ws[0])) { return "\"" + ws[0] + "\""; }
    return asked;
  }

  /* The indexed words starting with a letter, with how many records use each; null if
     the list cannot be had (then every word counts as known). */
  function wordList(letter) {
    if (!wordLists[letter]) {
      var lists = ["search/words/"].concat(recent.words ? [recent.words + "words/"] : []);
      wordLists[letter] = Promise.all(lists.map(function (folder) {
        return fetch(new URL(folder + letter + ".json", siteRoot).href)
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { return data && data.w ? data.w : null; })
          .catch(function () { return null; });
      })).then(function (found) {
        return found[0] === null ? null : found[0].concat(found[1] || []);
      });
    }
    return wordLists[letter];
  }

  function letterOf(word) {
    var c = word.charAt(0);
    if (c >= "a" && c <= "z") { return c; }
    return /[0-9]/.test(c) ? "0" : "_";
  }

  /* Optimal string alignment distance, giving up beyond `limit`. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) { return limit + 1; }
    var prev2 = null, prev = [], row, i, j;
    for (j = 0; j <= b.length; j++) { prev[j] = j; }
    for (i = 1; i <= a.length; i++) {
      row = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
        var v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a.charAt(i - 1) === b.charAt(j - 2) && a.charAt(i - 2) === b.charAt(j - 1)) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        row[j] = v;
        if (v < best) { best = v; }
      }
      if (best > limit) { return limit + 1; }
      prev2 = prev;
      prev = row;
    }
    return prev[b.length];
  }

  /* Check each word of the query against the indexed words: {query, unknown}, where
     `query` has each unknown word replaced by the nearest known one (null if none was
     replaced) and `unknown` is true if a word is unknown and nothing near it is known. */
  function corrected(query) {
    var ws = query.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    return Promise.all(ws.map(function (word) {
      var w = word.toLowerCase();
      if (w.length < 4 || /^[0-9]+$/.test(w) || isAcronym(word) || isCommon(word)) {
        return Promise.resolve(true); // (a common word is left out of the query: meaningful)
      }
      return wordList(letterOf(w)).then(function (known) {
        if (known === null) { return true; }
        var limit = w.length <= 5 ? 1 : 2, best = null, bestD = limit + 1, bestN = 0;
        for (var k = 0; k < known.length; k++) {
          var candidate = known[k][0];
          if (candidate.lastIndexOf(w, 0) === 0) { return true; } // a known word (or its start)
          var d = distance(w, candidate, limit);
          if (d < bestD || (d === bestD && known[k][1] > bestN)) { best = candidate; bestD = d; bestN = known[k][1]; }
        }
        return bestD <= limit ? best : false;
      });
    })).then(function (fixes) {
      var changed = fixes.some(function (f) { return typeof f === "string"; });
      var n = 0; // each word replaced where it stands: quotes and punctuation stay
      return {
        query: changed ? query.replace(/[\p{L}\p{N}]+/gu, function (word) {
          var fix = fixes[n++];
          return typeof fix === "string" ? fix : word;
        }) : null,
        unknown: fixes.some(function (f) { return f === false; })
      };
    });
  }

  // --- state in the address ------------------------------------------------------------

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var state = { q: params.get("q") || "", filters: {}, older: params.get("older") === "1" };
    GROUPS.forEach(function (g) { state.filters[g] = params.getAll(g); });
    return state;
  }

  function formState() {
    var state = { q: input.value.trim(), filters: {}, older: !!later.merging };
    GROUPS.forEach(function (g) {
      state.filters[g] = Array.prototype.map.call(
        filtersEl.querySelectorAll("[data-filter='" + g + "'] input:checked"),
        function (c) { return c.value; });
    });
    return state;
  }

  function writeState(state, push) {
    var params = new URLSearchParams();
    if (state.q) { params.set("q", state.q); }
    GROUPS.forEach(function (g) { state.filters[g].forEach(function (v) { params.append(g, v); }); });
    if (state.older && (state.q || GROUPS.some(function (g) { return state.filters[g].length; }))) {
      params.set("older", "1");
    }
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "");
    if (url === window.location.pathname + window.location.search) { return; }
    window.history[push ? "pushState" : "replaceState"](null, "", url);
  }

  /* Pagefind's filters. Its filter files grow with the site, so they are fetched only
     once a reader filters; then every group is asked for, to count each choice. */
  function pagefindFilters(state, counting) {
    var out = {};
    if (counting || GROUPS.some(function (g) { return state.filters[g].length; })) {
      GROUPS.forEach(function (g) {
        if (filtersEl.querySelector("[data-filter='" + g + "']")) { out[g] = { any: state.filters[g] }; }
      });
    }
    return out;
  }

  // --- filters -------------------------------------------------------------------------

  function setFilters(state) {
    Array.prototype.forEach.call(filtersEl.querySelectorAll("input[type=checkbox]"), function (c) {
      c.checked = state.filters[c.name].indexOf(c.value) !== -1;
    });
    // Open on wide screens, or when filters are in use; a closed summary on phones.
    filtersEl.open = window.matchMedia("(min-width: 60em)").matches ||
      GROUPS.some(function (g) { return state.filters[g].length; });
  }

  function updateCounts(counts, state) {
    var any = false;
    GROUPS.forEach(function (group) {
      var chosen = state.filters[group].length > 0;
      any = any || chosen;
      var fieldset = filtersEl.querySelector("[data-filter='" + group + "']");
      if (!fieldset) { return; }
      Array.prototype.forEach.call(fieldset.querySelectorAll(".checkboxes__item"), function (item) {
        var value = item.querySelector("input").value;
        var n = counts && counts[group] && Object.keys(counts[group]).length ? counts[group][value] || 0 : null;
        item.querySelector("[data-count]").textContent = n === null ? "" : "(" + n + ")";
        item.classList.toggle("checkboxes__item--empty", n === 0);
      });
    });
    clearEl.hidden = !any;
    filtersEl.hidden = false;
  }

  // --- results -------------------------------------------------------------------------

  function say(text) { statusEl.textContent = text; }

  function quoted(text) { return "‘" + text + "’"; }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function filterSummary(state) {
    var parts = [];
    GROUPS.forEach(function (g) { if (state.filters[g].length) { parts.push(state.filters[g].join(" or ")); } });
    return parts.length ? " (showing only " + parts.join("; ") + ")" : "";
  }

  /* Copy Pagefind's excerpt keeping only text and <mark>, less its first `skip` characters. */
  function excerptNodes(html, skip) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createDocumentFragment();
    var left = skip || 0;
    doc.body.firstChild.childNodes.forEach(function (node) {
      var text = node.textContent;
      if (left > 0) {
        var cut = Math.min(left, text.length);
        text = text.slice(cut);
        left -= cut;
        if (!left) { text = text.replace(/^[\s.,;:–-]+/, ""); }
      }
      if (!text) { return; }
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = text;
        out.appendChild(mark);
      } else { out.appendChild(document.createTextNode(text)); }
    });
    return out;
  }

  /* Mark query words (and words they begin) in a title. */
  function highlighted(text, terms) {
    var out = document.createDocumentFragment();
    var stems = terms.map(function (t) { return t.toLowerCase().replace(/(?:ing|ed|es|s)$/, ""); })
      .filter(function (t) { return t.length >= 2; });
    text.split(/([\p{L}\p{N}'’]+)/u).forEach(function (part) {
      var lower = part.toLowerCase();
      if (part && stems.some(function (s) { return lower.lastIndexOf(s, 0) === 0; })) {
        var mark = document.createElement("mark");
        mark.textContent = part;
        out.appendChild(mark);
      } else if (part) {
        out.appendChild(document.createTextNode(part));
      }
    });
    return out;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function factsLine(kind, area, status, tone, owner, due) {
    var facts = el("p", "search-result__facts");
    function fact(node) {
      if (facts.childNodes.length) { facts.appendChild(el("span", "search-result__sep", ", ")); }
      facts.appendChild(node);
    }
    fact(el("span", "search-result__kind", kind));
    if (area) { fact(el("span", "search-result__fact", area)); }
    if (status) {
      var wrap = el("span", "search-result__fact");
      wrap.appendChild(document.createTextNode("Status: "));
      wrap.appendChild(el("strong", "tag tag--" + (tone || "none"), status));
      fact(wrap);
    }
    if (owner) { fact(el("span", "search-result__fact", "Owner or lead: " + owner)); }
    if (due) { fact(el("span", "search-result__fact", "Due: " + due)); }
    return facts;
  }

  function excerptPara(html, skip) {
    var p = el("p", "search-result__excerpt");
    p.appendChild(excerptNodes(html || "", skip));
    return p;
  }

  function parsed(text) {
    try { return JSON.parse(text || "[]"); } catch (e) { return []; }
  }

  /* Does a section's "aka" (the other forms of the terms it mentions) hold every word of
     the query, as a whole word? Then it matched by another form alone ("SLT"). */
  function akaMatches(aka, terms) {
    var known = " " + fold(aka || "") + " ";
    return terms.length > 0 && terms.every(function (t) { return known.indexOf(" " + fold(t) + " ") !== -1; });
  }

  /* A result is a page (a report): the sections that match the query, best first, each
     with its matching milestones, actions and risks (Pagefind's sub-results: a section
     is a heading, its items lower headings), narrowed by the kind and status filters.
     {sections: [{anchor, title, score, prose, items}, ...], overview: the same for the
     text before the first section (anchor ""), or null if it did not match}. */
  function matchingSections(data, state, terms) {
    var meta = data.meta || {};
    var sections = {}, order = [], facts = {};
    [["", meta.title || ""]].concat(parsed(meta.sections)).forEach(function (s, n) {
      sections[s[0]] = { anchor: s[0], title: s[1], kind: s[2], aka: s[3], n: n, score: 0, prose: null, hits: [] };
      order.push(sections[s[0]]);
    });
    parsed(meta.items).forEach(function (f) { facts[f[0]] = f; });
    var kinds = state.filters.kind.filter(function (k) { return k !== "Section" && k !== "Report"; });
    var statuses = state.filters.status;
    var narrowed = kinds.length > 0 || statuses.length > 0;
    function wanted(f) {
      return (!kinds.length || kinds.indexOf(f[1]) !== -1) &&
        (!statuses.length || statuses.indexOf(f[2]) !== -1);
    }
    (data.sub_results || []).forEach(function (sub) {
      var id = (sub.anchor && sub.anchor.id) || "";
      var weight = (sub.weighted_locations || []).reduce(function (t, l) { return t + (l.balanced_score || l.weight || 1); }, 0);
      if (sections[id]) { // a section's own words, or the overview's (before any section)
        sections[id].prose = sections[id].prose || sub;
        sections[id].score += weight;
      } else if (facts[id] && sections[facts[id][8] || ""]) {
        var home = sections[facts[id][8] || ""];
        sub.facts = facts[id];
        sub.weight = weight;
        home.hits.push(sub);
        if (wanted(facts[id])) { home.score += weight; }
      }
    });
    // A section that mentions the query's term in another form ("SLT" for "speech and
    // language therapy") counts as much as the best section that has the words.
    var best = order.reduce(function (m, s) { return Math.max(m, s.score); }, 0.5);
    var found = order.filter(function (s) {
      if (s.anchor && terms.length && akaMatches(s.aka, terms)) { s.score = Math.max(s.score, best); }
      s.items = s.hits.filter(function (sub) { return wanted(sub.facts); });
      s.items.sort(function (a, b) { return b.weight - a.weight; });
      var matched = s.score > 0 || s.prose !== null || s.hits.length > 0 || !terms.length;
      if (narrowed && !s.items.length && matched) {
        // Found by the section's own words (or by filters alone): the items the
        // filters chose, without excerpts.
        s.items = Object.keys(facts).filter(function (a) {
          return (facts[a][8] || "") === s.anchor && wanted(facts[a]);
        }).map(function (a) { return { facts: facts[a], title: "", excerpt: "" }; });
      }
      if (narrowed) { return s.items.length > 0 && matched; }
      return terms.length > 0 && (s.score > 0 || s.prose !== null);
    });
    found.sort(function (a, b) { return b.score - a.score || a.n - b.n; });
    var overview = found.filter(function (s) { return !s.anchor; })[0] || null;
    return { sections: found.filter(function (s) { return s.anchor; }), overview: overview };
  }

  /* An excerpt may start with its heading's words (the section's or item's link): how
     many characters of it to leave out (the heading, or its end) to show what follows. */
  function headingSkip(plain, title) {
    if (!title || !plain) { return 0; }
    if (title.lastIndexOf(plain.replace(/[\s.,;:…]+$/, ""), 0) === 0) {
      return plain.length; // all of it is in the heading
    }
    var skip = 0;
    for (var i = 0; i <= title.length - Math.min(8, title.length); i++) {
      if (plain.lastIndexOf(title.slice(i), 0) === 0) { skip = title.length - i; break; }
    }
    /* The heading whole again after it (a paragraph that starts with its section's name:
       "Scope. Scope. The key focus…"): skipped too. */
    while (skip) {
      var at = skip + /^[\s.,;:–-]*/.exec(plain.slice(skip))[0].length;
      if (plain.slice(at, at + title.length) !== title) { break; }
      skip = at + title.length;
    }
    return skip;
  }

  function itemList(items, page, terms) {
    var sub = el("ul", "search-result__items");
    items.forEach(function (match) {
      var f = match.facts;
      var li = el("li", "search-result__item");
      var a = el("a", "search-result__item-link");
      a.setAttribute("href", page + "#" + encodeURIComponent(f[0]));
      a.appendChild(highlighted(match.title || f[7] || f[0], terms));
      li.appendChild(a);
      var plain = (match.excerpt || "").replace(/<[^>]*>/g, "");
      var skip = headingSkip(plain, match.title || "");
      if (plain.length - skip > 12) { li.appendChild(excerptPara(match.excerpt, skip)); }
      li.appendChild(factsLine(f[1], "", f[3], f[4], f[5], f[6]));
      sub.appendChild(li);
    });
    return sub;
  }

  function renderSection(section, page, terms) {
    var li = el("li", "search-result__section");
    var heading = el("h3", "search-result__section-title");
    var link = el("a", "search-result__section-link");
    link.setAttribute("href", page + "#" + encodeURIComponent(section.anchor));
    link.appendChild(highlighted(section.title, terms));
    heading.appendChild(link);
    li.appendChild(heading);
    if (section.prose) {
      var plain = (section.prose.excerpt || "").replace(/<[^>]*>/g, "");
      var skip = headingSkip(plain, section.prose.title || "");
      if (plain.length - skip > 12) { li.appendChild(excerptPara(section.prose.excerpt, skip)); }
    }
    if (section.items.length) {
      var shown = section.items.slice(0, ITEMS_SHOWN);
      li.appendChild(itemList(shown, page, terms));
      if (section.items.length > shown.length) {
        li.appendChild(el("p", "search-result__more",
          "and " + plural(section.items.length - shown.length, "more matching item") + " in this section"));
      }
    }
    return li;
  }

  function renderResult(data, terms, state) {
    var meta = data.meta || {};
    // Links stay relative, like every other link in the site.
    var page = rootLink + (data.raw_url || "").replace(/^\//, "").replace(/#.*$/, "");
    var item = el("li", "search-result");
    var heading = el("h2", "search-result__title");
    var link = el("a", "search-result__link");
    link.setAttribute("href", page);
    link.appendChild(highlighted(meta.title || data.raw_url, terms));
    heading.appendChild(link);
    item.appendChild(heading);
    var found = matchingSections(data, state, terms);
    var lead = found.overview;
    if ((lead && lead.prose) || !found.sections.length) {
      item.appendChild(excerptPara((lead && lead.prose ? lead.prose : data).excerpt));
    }
    item.appendChild(factsLine(meta.kind || "Page", meta.area));
    if (lead && lead.items.length) { // items shown before the report's first section
      item.appendChild(itemList(lead.items.slice(0, ITEMS_SHOWN), page, terms));
    }
    if (found.sections.length) {
      var shown = found.sections.slice(0, SECTIONS_SHOWN);
      var sectionList = el("ul", "search-result__sections");
      shown.forEach(function (section) { sectionList.appendChild(renderSection(section, page, terms)); });
      item.appendChild(sectionList);
      var rest = found.sections.slice(SECTIONS_SHOWN);
      if (rest.length) {
        var also = el("p", "search-result__more", "Also matching in this report: ");
        rest.forEach(function (section, n) {
          var a = el("a", "search-result__section-link");
          a.setAttribute("href", page + "#" + encodeURIComponent(section.anchor));
          a.textContent = section.title;
          if (n) { also.appendChild(document.createTextNode("; ")); }
          also.appendChild(a);
        });
        item.appendChild(also);
      }
    }
    return item;
  }

  function showMore(focus) {
    if (!current) { return Promise.resolve(); }
    var mine = current;
    var next = mine.results.slice(mine.shown, mine.shown + PAGE_SIZE);
    return Promise.all(next.map(function (r) { return r.data(); })).then(function (datas) {
      if (mine !== current) { return; }
      var first = null;
      datas.forEach(function (data) {
        var node = renderResult(data, mine.terms, mine.state);
        list.appendChild(node);
        first = first || node;
      });
      mine.shown += datas.length;
      more.hidden = mine.shown >= mine.results.length;
      if (focus && first) { first.querySelector("a").focus(); }
    });
  }

  function glossaryNote(query) {
    var forms = synonyms[fold(query)];
    if (!forms) { return ""; }
    var others = forms.filter(function (f) { return fold(f) !== fold(query); });
    return others.length ? "Includes results for " + others.map(quoted).join(", ") + "." : "";
  }

  /* What each checkbox would show: for a group with choices made, the counts come from
     the same search without that group's own choices (as a shop's filters do). */
  function facetCounts(outcome, state) {
    var counts = {};
    var found = outcome.found;
    Object.keys(found.filters || {}).forEach(function (g) { counts[g] = found.filters[g]; });
    var chosen = GROUPS.filter(function (g) { return state.filters[g].length; });
    if (!chosen.length || !found.filters) { return Promise.resolve(counts); }
    var query = outcome.query ? pagefindQuery(outcome.query) : null;
    return Promise.all(chosen.map(function (group) {
      var others = {};
      GROUPS.forEach(function (g) { others[g] = g === group ? [] : state.filters[g]; });
      return find(query, { filters: pagefindFilters({ filters: others }, true) })
        .then(function (without) { counts[group] = (without.filters || {})[group] || counts[group]; });
    })).then(function () { return counts; });
  }

  /* Pagefind's results for the query `asked` ({found, query, instead, unknown}), or for
     the word lists' correction of it (`check`, see corrected) if that finds any. */
  function ask(asked, check, filters) {
    if (check && check.unknown && !check.query) {
      // A word the index does not have, nor anything like it: Pagefind would match
      // the longest indexed word it starts with ("continance" -> "contin…"): say none.
      return Promise.resolve({ found: { results: [], filters: {} }, query: asked, unknown: true });
    }
    if (check && check.query) {
      return find(pagefindQuery(check.query), { filters: filters }).then(function (better) {
        if (better.results.length) { return { found: better, query: check.query, instead: asked }; }
        return find(pagefindQuery(asked), { filters: filters }).then(function (found) {
          return { found: found, query: asked };
        });
      });
    }
    return find(asked ? pagefindQuery(asked) : null, { filters: filters }).then(function (found) {
      return { found: found, query: asked };
    });
  }

  /* What the status adds when only the newest reports were searched (from `later.since`). */
  function scopeSummary() {
    var since = new Date(later.since + "T00:00:00Z");
    var when = isNaN(since.getTime()) ? later.since : since.toLocaleDateString("en-GB",
      { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    return " Searched the newest reports only, from " + when + " on.";
  }

  function search(state, push) {
    var mine = ++sequence;
    writeState(state, push);
    if (!state.q && !GROUPS.some(function (g) { return state.filters[g].length; })) {
      current = null;
      list.textContent = "";
      more.hidden = true;
      noteEl.hidden = true;
      if (scopeEl) { scopeEl.hidden = true; }
      say("");
      return load().then(function () { updateCounts(null, state); });
    }
    var asked = state.q || null;
    var filters = pagefindFilters(state);
    // The word lists load while Pagefind starts; only then is anything searched.
    return fresh().then(function () {
      return Promise.all([load(), asked ? corrected(asked) : null]);
    }).then(function (ready) {
      var check = ready[1];
      return (state.older ? widen() : Promise.resolve()).then(function () {
        return ask(asked, check, filters);
      }).then(function (outcome) {
        if (outcome.found.results.length || outcome.unknown || !narrow()) { return outcome; }
        // Nothing among the newest reports: the older ones too, at once.
        return widen().then(function () { return ask(asked, check, filters); });
      });
    }).then(function (outcome) {
      return facetCounts(outcome, state).then(function (counts) {
        outcome.counts = counts;
        return outcome;
      });
    }).then(function (outcome) {
      if (mine !== sequence || !outcome) { return; }
      var found = outcome.found;
      current = { results: found.results, shown: 0, state: state,
        terms: outcome.query ? words(meaningful(outcome.query)) : [] };
      list.textContent = "";
      updateCounts(outcome.counts, state);
      // Each result is a page: a report (with its matching sections), an area, a topic.
      var n = found.results.length;
      var text = n ? (n === 1 ? "1 report or page" : n + " reports or pages") +
        (outcome.query ? (n === 1 ? " matches " : " match ") + quoted(outcome.query) : "")
        : "No results" + (outcome.query ? " for " + quoted(outcome.query) : "");
      text += filterSummary(state) + ".";
      if (outcome.instead) { text = "No results for " + quoted(outcome.instead) + ". " + text; }
      var note = outcome.query ? glossaryNote(meaningful(outcome.query)) : "";
      if (!n) { note = "Check the spelling, use fewer words, or remove a filter."; }
      noteEl.textContent = note;
      noteEl.hidden = !note;
      // (A word the word lists do not know is in no report, older or newer.)
      var narrowed = narrow() && !outcome.unknown;
      if (scopeEl) { scopeEl.hidden = !narrowed; }
      if (narrowed) { text += scopeSummary(); }
      return showMore(false).then(function () { say(text); });
    }).catch(function (error) {
      if (mine !== sequence) { return; }
      list.textContent = "";
      more.hidden = true;
      if (scopeEl) { scopeEl.hidden = true; }
      say("Search is not available right now: the search index could not be loaded. " +
        "Try again later, or browse the reports from the home page.");
      if (window.console) { window.console.error(error); }
    });
  }

  // --- wiring --------------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(typingTimer);
    search(formState(), true);
  });
  input.addEventListener("input", function () {
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () { search(formState(), false); }, TYPING_DELAY);
  });
  more.addEventListener("click", function () { showMore(true); });
  if (scopeEl) {
    scopeEl.querySelector("button").addEventListener("click", function () {
      var state = formState();
      state.older = true;
      search(state, true).then(function () { (list.querySelector("a") || input).focus(); });
    });
  }
  clearEl.querySelector("a").addEventListener("click", function (event) {
    event.preventDefault();
    Array.prototype.forEach.call(filtersEl.querySelectorAll("input:checked"), function (c) { c.checked = false; });
    search(formState(), true);
    input.focus();
  });
  window.addEventListener("popstate", function () {
    var state = readState();
    input.value = state.q;
    setFilters(state);
    search(state, false);
  });

  filtersEl.addEventListener("change", function () { search(formState(), true); });
  var initial = readState();
  input.value = initial.q;
  setFilters(initial);
  // Searched at once (it waits for Pagefind itself), so a query typed while Pagefind
  // loads comes after this one and is not overtaken by it.
  search(initial, false).catch(function (error) {
    say("Search is not available right now: the search index could not be loaded. " +
      "Try again later, or browse the reports from the home page.");
    if (window.console) { window.console.error(error); }
  });
})();
