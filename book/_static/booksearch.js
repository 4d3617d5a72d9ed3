/* The book's search page: section-level results from the index in _static/search/.
 *
 * book/_ext/ch3book/search.py builds the index and documents the design; the tokenizer
 * and the shard function here must stay identical to the ones there (a test runs both
 * on the same strings). The ranking weights come from the index itself (RANKING in
 * search.py), so the rules live in one place.
 */
"use strict";

window.BookSearch = (() => {
  const HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff";
  const RUNS = new RegExp(`[${HAN}]+|[a-z0-9_]+(?:\\.[a-z0-9_]+)*`, "g");
  const isHan = (run) => run[0] >= "\u3400";
  const loaded = {};
  const waiting = {};

  const normalize = (text) => text.normalize("NFKC").toLowerCase();

  /** Index tokens of a text (search.py: tokens). */
  function tokens(text) {
    const found = [];
    for (const run of normalize(text).match(RUNS) || []) {
      if (isHan(run)) {
        const chars = Array.from(run);
        found.push(...chars);
        for (let i = 0; i + 1 < chars.length; i++) found.push(chars[i] + chars[i + 1]);
      } else {
        found.push(run, ...wordParts(run));
      }
    }
    return found;
  }

  /** The parts of a dotted or snake_case name (search.py: _word_parts). */
  function wordParts(run) {
    const parts = [];
    const dotted = run.split(".").filter(Boolean);
    if (dotted.length > 1) parts.push(...dotted);
    for (const part of dotted) {
      const words = part.split("_").filter(Boolean);
      if (words.length > 1) parts.push(...words);
    }
    return parts;
  }

  /** The tokens a section must hold to match a query (search.py: query_tokens). */
  function queryTokens(text) {
    const required = [];
    for (const run of normalize(text).match(RUNS) || []) {
      if (isHan(run)) {
        const chars = Array.from(run);
        if (chars.length === 1) required.push(run);
        for (let i = 0; i + 1 < chars.length; i++) required.push(chars[i] + chars[i + 1]);
      } else {
        required.push(run);
      }
    }
    return [...new Set(required)];
  }

  /** The shard of a token (search.py: shard_of). */
  function shardOf(token, shards) {
    let value = 0;
    for (const char of token) value = (value * 31 + char.codePointAt(0)) % 1000003;
    return value % shards;
  }

  const root = () => document.documentElement.dataset.content_root || "./";

  /** Load _static/search/<name>.js once (a <script> tag: it also works for a page opened from disk). */
  function load(name) {
    if (loaded[name]) return Promise.resolve(loaded[name]);
    if (!waiting[name]) {
      let resolve;
      let reject;
      const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      waiting[name] = { promise, resolve };
      const script = document.createElement("script");
      script.src = `${root()}_static/search/${name}.js`;
      script.onerror = () => reject(new Error(`cannot load ${script.src}`));
      document.head.appendChild(script);
    }
    return waiting[name].promise;
  }

  /** Called by each index file when it has loaded. */
  function store(name, data) {
    loaded[name] = data;
    if (waiting[name]) waiting[name].resolve(data);
  }

  /** Ranked results: [{doc, score}] (see RANKING in search.py). */
  async function search(query) {
    const meta = await load("docs");
    const rank = meta.ranking;
    const q = normalize(query).trim();
    const required = queryTokens(q);
    const docs = meta.docs;
    const introduced = meta.introduces[q];
    if (!required.length && introduced === undefined) return [];
    const shards = await Promise.all(
      [...new Set(required.map((t) => shardOf(t, meta.shards)))].map((n) =>
        load(`terms-${n}`).then((data) => [n, data]),
      ),
    );
    const byShard = Object.fromEntries(shards);
    const avgLength = meta.lengths.reduce((a, b) => a + b, 0) / meta.lengths.length;
    let candidates = null;
    const scores = new Map();
    for (const token of required) {
      const postings = byShard[shardOf(token, meta.shards)][token] || [];
      const idf = Math.log(1 + (docs.length - postings.length + 0.5) / (postings.length + 0.5));
      const here = new Set();
      for (const [doc, tf] of postings) {
        here.add(doc);
        const norm = 1 - rank.b + (rank.b * meta.lengths[doc]) / avgLength;
        const gain = (idf * tf * (rank.k1 + 1)) / (tf + rank.k1 * norm);
        scores.set(doc, (scores.get(doc) || 0) + gain);
      }
      candidates = candidates === null ? here : new Set([...candidates].filter((d) => here.has(d)));
    }
    candidates = candidates || new Set();
    if (introduced !== undefined) candidates.add(introduced);
    const weigh = (doc, bonus) => {
      let score = (scores.get(doc) || 0) + bonus + (doc === introduced ? rank.introduces : 0);
      return docs[doc][3] ? score * rank.reference : score;
    };
    const order = (a, b) => b.score - a.score || a.doc - b.doc;
    const ranked = [...candidates].map((doc) => ({ doc, score: weigh(doc, 0) })).sort(order);
    // The best results get their text: for the snippet, and for the phrase bonus.
    const shown = ranked.slice(0, rank.shown);
    const chunks = [...new Set(shown.map((r) => meta.textOf[r.doc][0]))];
    const texts = Object.fromEntries(
      await Promise.all(chunks.map((c) => load(`text-${c}`).then((t) => [c, t]))),
    );
    for (const result of shown) {
      const [chunk, position] = meta.textOf[result.doc];
      result.text = texts[chunk][position];
      const phrase = normalize(`${docs[result.doc][1]} ${result.text}`).includes(q);
      result.score = weigh(result.doc, phrase ? rank.phrase : 0);
    }
    const results = [...shown.sort(order), ...ranked.slice(rank.shown)];
    return results.map((r) => ({
      href: docs[r.doc][0],
      title: docs[r.doc][1],
      page: docs[r.doc][2],
      score: r.score,
      snippet: r.text === undefined ? [] : snippet(r.text, q, required),
    }));
  }

  /** About 90 characters around the first match, as [text, highlighted] pieces. */
  function snippet(text, query, required) {
    const lower = text.toLowerCase();
    let at = lower.indexOf(query);
    if (at < 0) {
      const found = required.map((t) => lower.indexOf(t)).filter((i) => i >= 0);
      at = found.length ? Math.min(...found) : 0;
    }
    const start = Math.max(0, at - 40);
    const piece = text.slice(start, start + 90);
    const marks = [query, ...required].filter(Boolean).sort((a, b) => b.length - a.length);
    const pieces = [];
    let rest = piece;
    while (rest) {
      const lowerRest = rest.toLowerCase();
      let best = -1;
      let length = 0;
      for (const mark of marks) {
        const i = lowerRest.indexOf(mark);
        if (i >= 0 && (best < 0 || i < best)) [best, length] = [i, mark.length];
      }
      if (best < 0) {
        pieces.push([rest, false]);
        break;
      }
      if (best > 0) pieces.push([rest.slice(0, best), false]);
      pieces.push([rest.slice(best, best + length), true]);
      rest = rest.slice(best + length);
    }
    if (start > 0) pieces.unshift(["…", false]);
    if (start + 90 < text.length) pieces.push(["…", false]);
    return pieces;
  }

  function render(results, query, list, status) {
    list.replaceChildren();
    for (const result of results.filter((r) => r.snippet.length)) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.className = "result";
      const [page, anchor] = result.href.split("#");
      const prefix = root() === "./" ? "" : root();
      link.href = `${prefix}${page}?highlight=${encodeURIComponent(query)}${anchor ? `#${anchor}` : ""}`;
      link.textContent = result.title;
      item.appendChild(link);
      if (result.title !== result.page) {
        const where = document.createElement("span");
        where.className = "book-search-page";
        where.textContent = ` · ${result.page}`;
        item.appendChild(where);
      }
      const text = document.createElement("p");
      text.className = "book-search-snippet";
      for (const [piece, highlighted] of result.snippet) {
        const node = highlighted ? document.createElement("mark") : document.createTextNode(piece);
        if (highlighted) node.textContent = piece;
        text.appendChild(node);
      }
      item.appendChild(text);
      list.appendChild(item);
    }
    const shown = results.filter((r) => r.snippet.length).length;
    status.textContent = results.length
      ? `找到 ${results.length} 個相關的小節${results.length > shown ? `，列出最相關的 ${shown} 個` : ""}。`
      : `找不到「${query}」。試試更短的詞，或換一個說法。`;
    list.dataset.state = "done";
  }

  async function run() {
    const list = document.getElementById("book-search-results");
    const status = document.getElementById("book-search-status");
    if (!list || !status) return;
    const query = new URLSearchParams(window.location.search).get("q") || "";
    // The page's own field (the header's search dialog has a form of the same shape).
    const input = document.querySelector(".bd-search-container form.bd-search input[name=q]");
    if (input) input.value = query;
    if (!query.trim()) {
      status.textContent = "請輸入要搜尋的詞。";
      list.dataset.state = "done";
      return;
    }
    status.textContent = "搜尋中…";
    try {
      render(await search(query), query, list, status);
    } catch (error) {
      status.textContent = `搜尋失敗：${error.message}`;
      list.dataset.state = "done";
    }
  }

  document.addEventListener("DOMContentLoaded", run);
  return { normalize, tokens, queryTokens, shardOf, search, store };
})();
