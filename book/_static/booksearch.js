/* The book's search page: section-level results from the index in _static/search/.
 *
 * book/_ext/ch3book/search.py builds the index and documents the design. A query's tokens must
 * be ones that tokens() there indexes for the same text, and the shard function must match
 * (a test runs both on the same strings); the ranking weights come from the index (RANKING).
 */
"use strict";

window.BookSearch = (() => {
  const HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff"; // cjk_spacing.py: HAN
  const RUNS = new RegExp(`[${HAN}]+|[a-z0-9_]+(?:\\.[a-z0-9_]+)*`, "g");
  const loading = {};
  const resolvers = {};

  const normalize = (text) => text.normalize("NFKC").toLowerCase();
  const element = (tag, properties) => Object.assign(document.createElement(tag), properties);
  const root = () => document.documentElement.dataset.content_root || "./";

  /** The tokens a section must hold to match a query: pairs, or a lone character. */
  function queryTokens(text) {
    const required = (normalize(text).match(RUNS) || []).flatMap((run) => {
      const chars = Array.from(run);
      const pairs = chars.slice(1).map((char, i) => chars[i] + char);
      return run[0] >= "\u3400" && pairs.length ? pairs : [run];
    });
    return [...new Set(required)];
  }

  /** The shard of a token (search.py: shard_of). */
  function shardOf(token, shards) {
    let value = 0;
    for (const char of token) value = (value * 31 + char.codePointAt(0)) % 1000003;
    return value % shards;
  }

  /** Load _static/search/<name>.js once (a <script> tag: it also works for a page opened from disk). */
  function load(name) {
    return (loading[name] ??= new Promise((resolve, reject) => {
      resolvers[name] = resolve;
      const script = element("script", { src: `${root()}_static/search/${name}.js` });
      script.onerror = () => reject(new Error(`cannot load ${script.src}`));
      document.head.appendChild(script);
    }));
  }

  /** Called by each index file when it has loaded. */
  const store = (name, data) => resolvers[name]?.(data);

  /** Ranked results: [{href, title, page, score, snippet}] (see RANKING in search.py). */
  async function search(query) {
    const meta = await load("docs");
    const { docs, lengths, ranking: rank } = meta;
    const q = normalize(query).trim();
    const required = queryTokens(q);
    const introduced = meta.introduces[q];
    if (!required.length && introduced === undefined) return [];
    const terms = await Promise.all(required.map((t) => load(`terms-${shardOf(t, meta.shards)}`)));
    const avgLength = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    const scores = new Map();
    const holders = required.map((token, i) => {
      const postings = terms[i][token] || [];
      const idf = Math.log(1 + (docs.length - postings.length + 0.5) / (postings.length + 0.5));
      for (const [doc, tf] of postings) {
        const norm = 1 - rank.b + (rank.b * lengths[doc]) / avgLength;
        const gain = (idf * tf * (rank.k1 + 1)) / (tf + rank.k1 * norm);
        scores.set(doc, (scores.get(doc) || 0) + gain);
      }
      return new Set(postings.map(([doc]) => doc));
    });
    // The sections that hold every token, and the one that introduces the term queried.
    const candidates = new Set([...(holders[0] || [])].filter((d) => holders.every((h) => h.has(d))));
    if (introduced !== undefined) candidates.add(introduced);
    const weigh = (doc, bonus) => {
      const score = (scores.get(doc) || 0) + bonus + (doc === introduced ? rank.introduces : 0);
      return docs[doc][3] ? score * rank.reference : score;
    };
    const order = (a, b) => b.score - a.score || a.doc - b.doc;
    const ranked = [...candidates].map((doc) => ({ doc, score: weigh(doc, 0) })).sort(order);
    // The best results get their text: for the snippet, and for the phrase bonus.
    const shown = ranked.slice(0, rank.shown);
    const texts = await Promise.all(shown.map((r) => load(`text-${meta.textOf[r.doc][0]}`)));
    shown.forEach((result, i) => {
      result.text = texts[i][meta.textOf[result.doc][1]];
      const phrase = normalize(`${docs[result.doc][1]} ${result.text}`).includes(q);
      result.score = weigh(result.doc, phrase ? rank.phrase : 0);
    });
    const results = [...shown.sort(order), ...ranked.slice(rank.shown)];
    return results.map(({ doc, score, text }) => {
      const [href, title, page] = docs[doc];
      const pieces = text === undefined ? [] : snippet(text, q, required); // the shown have text
      return { href, title, page, score, snippet: pieces };
    });
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
    // Longest first: where several marks start at one place, the alternation takes the longest.
    const marks = [query, ...required].filter(Boolean).sort((a, b) => b.length - a.length);
    const pattern = new RegExp(marks.map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
    const pieces = start > 0 ? [["…", false]] : [];
    let end = 0;
    for (const match of piece.toLowerCase().matchAll(pattern)) {
      if (match.index > end) pieces.push([piece.slice(end, match.index), false]);
      end = match.index + match[0].length;
      pieces.push([piece.slice(match.index, end), true]);
    }
    if (end < piece.length) pieces.push([piece.slice(end), false]);
    if (start + 90 < text.length) pieces.push(["…", false]);
    return pieces;
  }

  function render(results, query, list, status) {
    const listed = results.filter((r) => r.snippet.length);
    const prefix = root() === "./" ? "" : root();
    list.replaceChildren();
    for (const result of listed) {
      const [page, anchor] = result.href.split("#");
      const href = `${prefix}${page}?highlight=${encodeURIComponent(query)}${anchor ? `#${anchor}` : ""}`;
      const item = element("li");
      item.append(element("a", { className: "result", href, textContent: result.title }));
      if (result.title !== result.page) {
        const where = ` · ${result.page}`;
        item.append(element("span", { className: "book-search-page", textContent: where }));
      }
      const text = element("p", { className: "book-search-snippet" });
      for (const [piece, highlighted] of result.snippet) {
        text.append(highlighted ? element("mark", { textContent: piece }) : piece);
      }
      item.append(text);
      list.append(item);
    }
    status.textContent = results.length
      ? `找到 ${results.length} 個相關的小節${results.length > listed.length ? `，列出最相關的 ${listed.length} 個` : ""}。`
      : `找不到「${query}」。試試更短的詞，或換一個說法。`;
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
    } else {
      status.textContent = "搜尋中…";
      try {
        render(await search(query), query, list, status);
      } catch (error) {
        status.textContent = `搜尋失敗：${error.message}`;
      }
    }
    list.dataset.state = "done";
  }

  document.addEventListener("DOMContentLoaded", run);
  return { normalize, queryTokens, shardOf, search, store };
})();
