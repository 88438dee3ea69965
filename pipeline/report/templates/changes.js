/* The changes page: renders the change log and the queries from the JSON in
   #report-data, filters them, keeps the proofreader's decisions (in this browser,
   until exported) and exports them as review/<id>.toml. Witness text is only ever
   put into the page as text nodes (textContent), never parsed as HTML. */
(function () {
"use strict";
var t0 = performance.now();
var D = JSON.parse(document.getElementById("report-data").textContent);
var W = D.witness.id, RAW = D.raw, C = D.changes, Q = D.queries, N = C.length;
var F = {}; D.fields.forEach(function (f, i) { F[f] = i; });
var I_ID = F.id, I_S = F.start, I_E = F.end, I_AFTER = F.after, I_STAGE = F.stage, I_RULE = F.rule, I_KIND = F.kind,
    I_LINE = F.line, I_COL = F.col, I_CONF = F.confidence, I_NOTE = F.note, I_LAY = F.layout, I_MOVED = F.moved, I_QUERIES = F.queries;
var CTX = 48, CAP = 240, INFO_MAX = 120;
var $ = function (id) { return document.getElementById(id); };

/* -- the clean text, rebuilt from raw + change log, and where each change lands in it -- */
var cs = new Array(N), parts = [], pos = 0, clen = 0;
for (var i = 0; i < N; i++) {
  var c = C[i], seg = RAW.slice(pos, c[I_S]);
  parts.push(seg, c[I_AFTER]); clen += seg.length; cs[i] = clen; clen += c[I_AFTER].length; pos = c[I_E];
}
parts.push(RAW.slice(pos));
var CLEAN = parts.join(""); parts = null;
var byId = new Map(); C.forEach(function (c, i) { byId.set(c[I_ID], i); });
var qById = new Map(); Q.forEach(function (q, i) { qById.set(q.id, i); });
var staleSet = new Set(D.stale);

/* -- showing text literally: newlines, tabs, control and invisible characters as symbols -- */
var INVIS = /[\u0000-\u001f\u007f-\u009f\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb]/g;
var INVIS_SP = new RegExp(INVIS.source.slice(0, -1) + " ]", "g");
function hex(c) { return c.toString(16).toUpperCase().padStart(4, "0"); }
var C0 = ["NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF", "CR", "SO", "SI", "DLE",
  "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"];
var NAMED = {0x7f: "DEL", 0xad: "SHY", 0x200b: "ZWSP", 0x200c: "ZWNJ", 0x200d: "ZWJ", 0x2028: "LSEP", 0x2029: "PSEP", 0xfeff: "BOM"};
function symbol(ch) {  // [text, is a labelled code]
  var c = ch.charCodeAt(0);
  if (ch === "\n") return ["\u21b5", false];
  if (ch === "\t") return ["\u21e5", false];
  if (ch === " ") return ["\u00b7", false];
  if (c === 0xa0) return ["\u237d", false];
  if (c < 0x20) return [C0[c], true];
  var wide = (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000;
  return [NAMED[c] || (wide ? "SP" : "U+" + hex(c)), true];
}
var BREAKS = false;  // true while the text view renders: raw line breaks are kept as breaks
function addText(el, s, spaces) {
  var re = spaces ? INVIS_SP : INVIS, last = 0, m;
  re.lastIndex = 0;
  while ((m = re.exec(s)) !== null) {
    if (m.index > last) el.appendChild(document.createTextNode(s.slice(last, m.index)));
    var sp = document.createElement("span"), sy = symbol(m[0]);
    sp.className = sy[1] ? "sym code" : "sym";
    sp.textContent = sy[0];
    if (m[0] !== "\n" && m[0] !== " ") sp.title = "U+" + hex(m[0].charCodeAt(0));
    el.appendChild(sp);
    if (BREAKS && m[0] === "\n") el.appendChild(document.createTextNode("\n"));
    last = m.index + m[0].length;
  }
  if (last < s.length) el.appendChild(document.createTextNode(s.slice(last)));
}
function addCapped(el, s, spaces) {
  if (s.length <= CAP) { addText(el, s, spaces); return; }
  addText(el, s.slice(0, 160), spaces);
  var e = document.createElement("span");
  e.className = "elide";
  e.textContent = " \u2026 " + (s.length - 220).toLocaleString("en") + " more characters \u2026 ";
  el.appendChild(e);
  addText(el, s.slice(-60), spaces);
}
function node(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function mark(tag, s) {  // <del> or <ins>, visible even when empty or all whitespace
  var e = node(tag, s ? "" : "empty");
  if (!s) { e.title = tag === "del" ? "nothing removed" : "nothing written"; return e; }
  var core = s.trim();
  if (core.length <= 3) { addCapped(e, s, true); return e; }  // short: every space counts, show it
  var lead = s.length - s.replace(/^\s+/, "").length, trail = s.length - s.replace(/\s+$/, "").length;
  addText(e, s.slice(0, lead), true);
  addCapped(e, s.slice(lead, s.length - trail), false);
  addText(e, s.slice(s.length - trail), true);
  return e;
}
function leftCtx(text, at) {
  var a = Math.max(0, at - CTX);
  return (a > 0 ? "\u2026" : "") + text.slice(a, at);
}
function rightCtx(text, at) {
  var b = Math.min(text.length, at + CTX);
  return text.slice(at, b) + (b < text.length ? "\u2026" : "");
}

/* -- evidence from the pivot: the aligned sentence (or paragraph) of the original -- */
var PV = D.pivot, paraStarts = null;
function paraAt(off) {  // [paragraph number, offset in the stripped paragraph] of a clean offset (DESIGN.md §2 numbering)
  if (!paraStarts) {
    paraStarts = [];
    var at = 0;
    CLEAN.split("\n").forEach(function (line) {
      if (line.trim()) paraStarts.push(at + line.length - line.replace(/^\s+/, "").length);
      at += line.length + 1;
    });
  }
  var lo = 0, hi = paraStarts.length - 1;
  if (hi < 0 || off < paraStarts[0]) return [0, 0];
  while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (paraStarts[mid] <= off) lo = mid; else hi = mid - 1; }
  return [lo, off - paraStarts[lo]];
}
function rawToClean(r) {  // the clean offset of a raw offset (inside a change: where its text starts)
  var lo = 0, hi = N - 1, j = -1;
  while (lo <= hi) { var mid = (lo + hi) >> 1; if (C[mid][I_S] <= r) { j = mid; lo = mid + 1; } else hi = mid - 1; }
  if (j < 0) return r;
  if (r < C[j][I_E]) return cs[j];
  return cs[j] + C[j][I_AFTER].length + r - C[j][I_E];
}
function pivotAt(off) {  // an element with the original's aligned text, or null
  if (!PV) return null;
  var pa = paraAt(off), ps = PV.paras[pa[0]];
  if (!ps || !ps.length) return null;
  var text = "", own = PV.own[pa[0]], how = "paragraph";
  if (own) {
    for (var k = 0; k < own.length; k++) {
      if (pa[1] >= own[k][0] && pa[1] <= own[k][1]) {
        var ids = PV.sent[pa[0] + "." + k];
        if (ids && ids.length) {
          text = ids.map(function (id) {
            var p = id.split("."), sp = (PV.spans[p[0]] || [])[+p[1]], t = PV.texts[p[0]] || "";
            return sp ? t.slice(sp[0], sp[1]) : "";
          }).join(" ");
          how = "sentence";
        }
        break;
      }
    }
  }
  if (!text) text = ps.map(function (p) { return PV.texts[p] || ""; }).join(" \u00b6 ");
  if (!text) return null;
  var el = node("span", "pivot");
  el.title = "the aligned " + how + " of " + PV.id + " (from the collation)";
  el.appendChild(node("span", "muted", PV.id + ": "));
  addText(el, text.length > 320 ? text.slice(0, 319) + "\u2026" : text);
  return el;
}

/* -- decisions: from the review file, plus this browser's edits until exported -- */
var FILE = D.decisions, LS = "edition-review:" + location.pathname, dec = new Map(), local = {};  // per file: two checkouts do not share
Object.keys(FILE).forEach(function (id) { dec.set(id, Object.assign({}, FILE[id])); });
try { local = JSON.parse(localStorage.getItem(LS) || "{}") || {}; } catch (e) { local = {}; }
function same(a, b) {
  if (!a || !b) return !a && !b;
  return a.action === b.action && (a.reading === undefined ? null : a.reading) === (b.reading === undefined ? null : b.reading)
    && (a.note || "") === (b.note || "");
}
Object.keys(local).forEach(function (id) {
  var v = local[id];
  if (same(v, FILE[id])) { delete local[id]; return; }
  if (v === null) dec.delete(id); else dec.set(id, v);
});
function saveLocal() {
  try { if (Object.keys(local).length) localStorage.setItem(LS, JSON.stringify(local)); else localStorage.removeItem(LS); }
  catch (e) { /* storage may be off: decisions then live until the page closes */ }
}
saveLocal();
var byInput = $("by");
try { byInput.value = localStorage.getItem("edition-review:by") || ""; } catch (e) {}
byInput.addEventListener("change", function () { try { localStorage.setItem("edition-review:by", byInput.value.trim()); } catch (e) {} });
function cut(s) {  // by characters, not UTF-16 units: never half a surrogate pair
  if (s.length <= INFO_MAX) return s;
  var a = Array.from(s);
  return a.length <= INFO_MAX ? s : a.slice(0, INFO_MAX - 1).join("") + "\u2026";
}
function setDecision(id, info, quiet) {
  if (info) {
    var by = byInput.value.trim();
    if (by && !info.by) info.by = by;
    dec.set(id, info);
  } else dec.delete(id);
  if (same(info, FILE[id])) { delete local[id]; if (info) dec.set(id, Object.assign({}, FILE[id], {note: info.note || FILE[id].note})); }
  else local[id] = info || null;
  var i = byId.get(id);
  if (i !== undefined && rows) paintRow(i);
  var k = qById.get(id);
  if (k !== undefined && qcards) paintQuery(k);
  if (!quiet) decisionsChanged();
}
function decisionsChanged() {
  saveLocal();
  updateCounts();
  if (!$("tab-decisions").hidden) renderDecisions();
}
var WORDS_LS = LS + ":words", WORDS = [];  // words for the project word list, until saved or exported
try { WORDS = JSON.parse(localStorage.getItem(WORDS_LS) || "[]") || []; } catch (e) { WORDS = []; }
function saveWords() {
  try { if (WORDS.length) localStorage.setItem(WORDS_LS, JSON.stringify(WORDS)); else localStorage.removeItem(WORDS_LS); } catch (e) {}
  var n = $("words-note");
  if (n) n.textContent = WORDS.length ? "for the " + D.witness.language + " word list: " + WORDS.join(", ") : "";
}
function changeDecision(i, action, quiet) {
  var c = C[i], old = dec.get(c[I_ID]);
  if (!action) { setDecision(c[I_ID], null, quiet); return; }
  setDecision(c[I_ID], {action: action, note: old ? old.note || "" : "", line: c[I_LINE], rule: c[I_RULE],
    before: cut(RAW.slice(c[I_S], c[I_E])), after: cut(c[I_AFTER])}, quiet);
}
function queryDecision(k, reading, keep, quiet) {  // keep: the text stays as it is (action accept)
  var q = Q[k];
  if (reading === null && !keep) { setDecision(q.id, null, quiet); return; }
  var old = dec.get(q.id), d = {action: keep ? "accept" : "resolve", note: old ? old.note || "" : "", line: q.line, rule: q.rule, text: cut(q.text)};
  if (!keep) d.reading = reading;
  setDecision(q.id, d, quiet);
}

/* -- the change rows -- */
var listEl = $("changes"), rows = null, mode = "inline";
var stagesOf = C.map(function (c) { return c[I_STAGE].split("+"); });
var rulesOf = C.map(function (c) { return c[I_RULE].split("+"); });
function renderCtx(box, i) {
  var c = C[i], s = c[I_S], e = c[I_E], after = c[I_AFTER];
  box.textContent = "";
  if (mode === "inline") {
    addText(box, leftCtx(RAW, s)); box.appendChild(mark("del", RAW.slice(s, e)));
    box.appendChild(mark("ins", after)); addText(box, rightCtx(RAW, e));
  } else {
    var side = node("div", "side"), r = node("div"), k = node("div");
    r.appendChild(node("span", "lbl", "raw"));
    addText(r, leftCtx(RAW, s)); r.appendChild(mark("del", RAW.slice(s, e))); addText(r, rightCtx(RAW, e));
    k.appendChild(node("span", "lbl", "clean"));
    addText(k, leftCtx(CLEAN, cs[i])); k.appendChild(mark("ins", after)); addText(k, rightCtx(CLEAN, cs[i] + after.length));
    side.appendChild(r); side.appendChild(k); box.appendChild(side);
  }
}
var STRUCT = /^(layout|hyphen|notes)\./;
function structural(i) {  // only layout edits, over a line break: rejecting would leave a hard wrap
  var c = C[i];
  return RAW.slice(c[I_S], c[I_E]).indexOf("\n") >= 0 && rulesOf[i].every(function (r) { return STRUCT.test(r); });
}
function canParagraph(i) {  // a join that wrote only spaces: a wrong one is answered with a paragraph break
  var c = C[i];
  return c[I_KIND] !== "review" && RAW.slice(c[I_S], c[I_E]).indexOf("\n") >= 0 && !c[I_AFTER].trim() && c[I_AFTER].indexOf("\n\n") < 0
    && !rulesOf[i].some(function (r) { return r.slice(0, 7) === "hyphen."; });  // not inside a hyphenated word
}
function canHyphen(i) {  // a line-end hyphen decision the proofreader may turn round (pipeline.review.HYPHEN_RULES)
  var r = rulesOf[i];
  return C[i][I_KIND] !== "review" && !C[i][I_AFTER].trim() && (r.indexOf("hyphen.compound") >= 0 || r.indexOf("hyphen.soft") >= 0);
}
function makeRow(i) {
  var c = C[i], row = node("div", "chg");
  row.id = "c-" + c[I_ID];
  row.dataset.i = i;
  var d = node("div", "dec");
  if (c[I_KIND] === "review") {
    d.appendChild(node("span", "pill", "review"));
    d.title = "an edit made by a proofreader's resolve decision; undo it under Decisions";
  } else {
    var a = node("button", "a", "\u2713"), r = node("button", "r", "\u2717");
    a.type = r.type = "button"; a.title = "accept this change"; r.title = "reject this change (it will not be applied)";
    if (structural(i)) {
      r.disabled = true;
      r.title = "a layout change cannot be rejected: the raw line break would stay inside a paragraph. " +
        "Tell the maintainers (a rule or the layout stage decides it), or answer the layout query if there is one.";
    }
    a.dataset.act = "accept"; r.dataset.act = "reject";
    d.appendChild(a); d.appendChild(r);
    if (canHyphen(i)) {
      var hy = node("button", "h", "-");
      hy.type = "button"; hy.dataset.act = "hyphen";
      hy.title = rulesOf[i].indexOf("hyphen.compound") >= 0 ? "the other hyphen decision: drop this hyphen (the next run joins the word without it)"
        : "the other hyphen decision: keep this hyphen (the next run writes it)";
      d.appendChild(hy);
    }
    if (canParagraph(i)) {
      var p = node("button", "p", "\u00b6");
      p.type = "button"; p.dataset.act = "paragraph";
      p.title = "paragraph break here: the lines were joined, but a new paragraph starts (the next run writes the break)";
      d.appendChild(p);
    }
  }
  row.appendChild(d);
  row.appendChild(node("div", "loc", "l. " + c[I_LINE] + ":" + c[I_COL]));
  var box = node("div", "ctx");
  renderCtx(box, i);
  row.appendChild(box);
  var m = node("div", "meta");
  m.appendChild(node("span", "pill", c[I_KIND]));
  c[I_LAY].forEach(function (l) { m.appendChild(node("span", "pill lay", l)); });
  m.appendChild(node("span", "rule", c[I_RULE]));
  m.appendChild(document.createTextNode(" \u00b7 stage " + c[I_STAGE] + (c[I_CONF] < 1 ? " \u00b7 confidence " + c[I_CONF] : "")));
  if (c[I_NOTE]) m.appendChild(node("span", "note", c[I_NOTE]));
  var ev = pivotAt(cs[i]);
  if (ev && !routine(i)) m.appendChild(ev);
  c[I_MOVED].forEach(function (j) {
    var p = C[j], away = (c[I_E] - c[I_S]) > c[I_AFTER].length;
    var link = node("a", "moved", (away ? "text moved to l. " : "text moved here from l. ") + p[I_LINE]);
    link.href = "#c-" + p[I_ID];
    link.dataset.to = j;
    m.appendChild(link);
  });
  c[I_QUERIES].forEach(function (k) {
    var q = Q[k], link = node("a", "moved", "query at l. " + q.line + ": ");
    addText(link, q.text.length > 40 ? q.text.slice(0, 39) + "\u2026" : q.text);
    link.href = "#q-" + q.id;
    link.dataset.query = k;
    m.appendChild(link);
  });
  row.appendChild(m);
  return row;
}
function paintRow(i) {
  var row = rows[i];
  if (!row) return;
  var d = dec.get(C[i][I_ID]), act = d ? d.action : "";
  row.classList.toggle("acc", act === "accept");
  row.classList.toggle("rej", act === "reject");
  row.classList.toggle("para", act === "paragraph" || act === "hyphen");
  var bs = row.firstChild.querySelectorAll("button");
  for (var b = 0; b < bs.length; b++) bs[b].setAttribute("aria-pressed", bs[b].dataset.act === act ? "true" : "false");
  var meta = row.lastChild, inp = meta.querySelector("input.note-in"), add = meta.querySelector("a.note-add");
  var wantInput = d && (d.action === "reject" || d.note || (inp && document.activeElement === inp));
  if (wantInput && !inp) inp = noteInput(meta);
  if (inp && !wantInput) { inp.remove(); inp = null; }
  if (inp && document.activeElement !== inp) inp.value = d.note || "";
  if (d && !inp && !add) {
    add = node("a", "note-add small", "add a note");
    add.href = "#";
    meta.appendChild(add);
  }
  if (add && (!d || inp)) add.remove();
}
function noteInput(meta) {
  var inp = node("input", "note-in");
  inp.type = "text"; inp.placeholder = "note for the review file (optional)";
  meta.appendChild(inp);
  return inp;
}
/* Rows are made when first shown, PAGE at a time as the reader scrolls, so the
   page opens and filters in the same time whether a witness has 10 or 10,000 changes. */
var PAGE = 120, order = [], upTo = 0, rowMode = new Array(N), sentinel = node("div", "more");
rows = new Array(N);
function showRow(i, frag) {
  var row = rows[i];
  if (!row) { row = rows[i] = makeRow(i); rowMode[i] = mode; paintRow(i); }
  else if (rowMode[i] !== mode) { renderCtx(row.children[2], i); rowMode[i] = mode; }
  frag.appendChild(row);
}
function renderMore(until) {
  var stop = Math.min(order.length, Math.max(upTo + PAGE, until || 0)), frag = document.createDocumentFragment();
  for (; upTo < stop; upTo++) showRow(order[upTo], frag);
  listEl.insertBefore(frag, sentinel);
  sentinel.textContent = upTo < order.length ? "\u2026 " + (order.length - upTo).toLocaleString("en") + " more: scroll or click" : "";
}
listEl.appendChild(sentinel);
if ("IntersectionObserver" in window) {
  new IntersectionObserver(function (es) { if (es[0].isIntersecting && upTo < order.length) renderMore(); },
                           {rootMargin: "1200px"}).observe(sentinel);
}
sentinel.addEventListener("click", function () { renderMore(); });
listEl.addEventListener("click", function (ev) {
  var t = ev.target, row = t.closest(".chg");
  if (!row) return;
  var i = +row.dataset.i;
  if (t.tagName === "BUTTON" && t.dataset.act) {
    var d = dec.get(C[i][I_ID]);
    changeDecision(i, d && d.action === t.dataset.act ? null : t.dataset.act);
    if (fStatus.value) applyFilter(true);
  } else if (t.classList.contains("note-add")) {
    ev.preventDefault();
    t.remove();
    noteInput(row.lastChild).focus();
  } else if (t.closest("a") && t.closest("a").dataset.to !== undefined) {
    ev.preventDefault();
    reveal(+t.closest("a").dataset.to);
  } else if (t.closest("a") && t.closest("a").dataset.query !== undefined) {
    ev.preventDefault();
    showQuery(+t.closest("a").dataset.query);
  }
});
listEl.addEventListener("change", function (ev) {
  var t = ev.target;
  if (!t.classList.contains("note-in")) return;
  var i = +t.closest(".chg").dataset.i, d = dec.get(C[i][I_ID]);
  if (d) setDecision(C[i][I_ID], Object.assign({}, d, {note: t.value.trim()}));
});
function reveal(i) {
  var k = order.indexOf(i);
  if (k < 0) { clearFilters(); applyFilter(); k = order.indexOf(i); }
  if (k >= upTo) renderMore(k + 1);
  rows[i].scrollIntoView({block: "center"});
  rows[i].classList.add("flash");
  setTimeout(function () { rows[i].classList.remove("flash"); }, 1500);
}

/* -- keys: j/k move, a accept, r reject, u undo (on the Changes tab) -- */
var cur = -1;
function setCur(k) {
  if (cur >= 0 && order[cur] !== undefined && rows[order[cur]]) rows[order[cur]].classList.remove("cur");
  cur = Math.max(0, Math.min(order.length - 1, k));
  if (cur >= upTo) renderMore(cur + 1);
  var row = rows[order[cur]];
  if (row) { row.classList.add("cur"); row.scrollIntoView({block: "nearest"}); }
}
document.addEventListener("keydown", function (ev) {
  if ($("tab-changes").hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  var tag = ev.target.tagName;
  if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || !order.length) return;
  var k = ev.key;
  if (k === "j" || k === "k") { setCur(cur < 0 ? 0 : cur + (k === "j" ? 1 : -1)); ev.preventDefault(); return; }
  if (cur < 0 || "arup".indexOf(k) < 0 && k !== "-") return;
  var i = order[cur], d = dec.get(C[i][I_ID]);
  if (C[i][I_KIND] === "review" || (k === "r" && structural(i)) || (k === "p" && !canParagraph(i)) || (k === "-" && !canHyphen(i))) return;
  var want = k === "a" ? "accept" : k === "r" ? "reject" : k === "p" ? "paragraph" : "hyphen";
  changeDecision(i, k === "u" ? null : (d && d.action === want ? null : want));
  if (k !== "u") setCur(cur + 1);
  ev.preventDefault();
});
listEl.addEventListener("mousedown", function (ev) {
  var row = ev.target.closest(".chg");
  if (row) { var k = order.indexOf(+row.dataset.i); if (k >= 0) { if (cur >= 0 && rows[order[cur]]) rows[order[cur]].classList.remove("cur"); cur = k; row.classList.add("cur"); } }
});

/* -- filters -- */
var fStage = $("f-stage"), fKind = $("f-kind"), fRule = $("f-rule"), fLayout = $("f-layout"), fStatus = $("f-status"), fText = $("f-text");
function fillSelect(sel, lists) {
  var counts = new Map();
  lists.forEach(function (l) { l.forEach(function (v) { counts.set(v, (counts.get(v) || 0) + 1); }); });
  Array.from(counts.keys()).sort().forEach(function (v) {
    var o = node("option", "", v + " (" + counts.get(v).toLocaleString("en") + ")");
    o.value = v;
    sel.appendChild(o);
  });
}
fillSelect(fStage, stagesOf);
fillSelect(fKind, C.map(function (c) { return [c[I_KIND]]; }));
fillSelect(fRule, rulesOf);
fillSelect(fLayout, C.map(function (c) { return c[I_MOVED].length ? c[I_LAY].concat(["moved text"]) : c[I_LAY]; }));
var hay = null, fView = $("f-view"), fGroupBy = $("f-groupby"), fGroup = $("f-group");
/* worth a look first: what needs a human before what is routine. 0 corrections (scannos, names,
   automatic corrections, punctuation, ...), 1 layout a reader would notice (page breaks, lost or
   moved text, paragraph breaks, doubtful layout), 2 hyphen decisions, 3 other layout; routine (plain
   line joins, spacing) one click away. */
var ROUTINE_KINDS = {layout: 1, spacing: 1, hyphen: 1, furniture: 1, footnote: 1, review: 1};
var prio = new Array(N), routineN = 0;
function routine(i) { return prio[i] === 4; }
for (var pi = 0; pi < N; pi++) {
  var pc = C[pi], lays = pc[I_LAY];
  prio[pi] = !ROUTINE_KINDS[pc[I_KIND]] ? 0
    : pc[I_KIND] === "spacing" || (pc[I_KIND] !== "hyphen" && plainJoin(pi)) ? 4
    : lays.indexOf("page break") >= 0 || lays.indexOf("text lost") >= 0 || pc[I_MOVED].length || pc[I_CONF] < 1 ? 1
    : pc[I_KIND] === "hyphen" ? 2 : 3;
  if (prio[pi] === 4) routineN++;
}
function groupKeys(i, by) {  // the groups of a change: each rule it is made of, its kind, or its reading
  var c = C[i];
  if (by === "rule") return rulesOf[i];
  if (by === "kind") return [c[I_KIND]];
  var b = RAW.slice(c[I_S], c[I_E]).replace(/\s+/g, " ").trim(), a = c[I_AFTER].replace(/\s+/g, " ").trim();
  return [(b || "\u2205") + " \u2192 " + (a || "\u2205")];
}
var groupOf = null;
function fillGroups() {
  var by = fGroupBy.value;
  fGroup.textContent = "";
  fGroup.appendChild(node("option", "", "every group")).value = "";
  fGroup.hidden = !by;
  groupOf = null;
  if (!by) return;
  groupOf = new Array(N);
  var counts = new Map();
  for (var i = 0; i < N; i++) {
    groupOf[i] = groupKeys(i, by);
    groupOf[i].forEach(function (g) { counts.set(g, (counts.get(g) || 0) + 1); });
  }
  Array.from(counts.keys()).sort(function (a, b) { return counts.get(b) - counts.get(a) || (a < b ? -1 : 1); })
    .slice(0, 400).forEach(function (g) {
      var label = g.length > 60 ? g.slice(0, 59) + "\u2026" : g;
      var o = node("option", "", counts.get(g).toLocaleString("en") + " \u00d7 " + label);
      o.value = g; fGroup.appendChild(o);
    });
}
/* the same rule or queried reading in the other witnesses of the edition: links to their pages */
var ELSE = D.elsewhere || {};
function elsewhereLinks(el, label, list, hash) {
  el.textContent = "";
  if (!list || !list.length) return;
  el.appendChild(document.createTextNode(label));
  list.forEach(function (p, n) {
    if (n) el.appendChild(document.createTextNode(", "));
    var a = node("a", "", p[0] + " (" + p[1] + ")");
    a.href = encodeURIComponent(p[0]) + ".changes.html#" + hash;
    el.appendChild(a);
  });
}
function showElsewhere() {
  var by = fGroupBy.value, g = fGroup.value, el = $("f-elsewhere");
  if (by === "rule" && g) elsewhereLinks(el, "also in ", (ELSE.rules || {})[g], "rule=" + encodeURIComponent(g));
  else el.textContent = "";
}
function selectGroup(by, key) {  // from a link: #rule=<rule>
  fView.value = "all"; fGroupBy.value = by; fillGroups();
  if (!Array.prototype.some.call(fGroup.options, function (o) { return o.value === key; })) {
    var o = node("option", "", key); o.value = key; fGroup.appendChild(o);
  }
  fGroup.value = key;
}
fGroupBy.addEventListener("change", function () { fillGroups(); applyFilter(); });
fGroup.addEventListener("change", applyFilter);
fView.addEventListener("change", applyFilter);
$("show-routine").addEventListener("click", function (ev) { ev.preventDefault(); fView.value = "all"; applyFilter(); });
function filterActive() { return !!(fStage.value || fKind.value || fRule.value || fLayout.value || fStatus.value || fText.value || fGroup.value); }
function clearFilters() { fStage.value = fKind.value = fRule.value = fLayout.value = fStatus.value = fText.value = fGroup.value = ""; fView.value = "all"; }
function matches(i, st, k, r, lay, status, q, g, look) {
  var c = C[i];
  if (look && prio[i] === 4) return false;
  if (g && groupOf[i].indexOf(g) < 0) return false;
  if (st && stagesOf[i].indexOf(st) < 0) return false;
  if (k && c[I_KIND] !== k) return false;
  if (r && rulesOf[i].indexOf(r) < 0) return false;
  if (lay && (lay === "moved text" ? !c[I_MOVED].length : c[I_LAY].indexOf(lay) < 0)) return false;
  if (status) {
    var d = dec.get(c[I_ID]), a = d ? d.action : (c[I_KIND] === "review" ? "review" : "");
    if (status === "open" ? a : a !== status) return false;
  }
  return !q || hay[i].indexOf(q) >= 0;
}
function applyFilter(keep) {
  var t = performance.now(), st = fStage.value, k = fKind.value, r = fRule.value, lay = fLayout.value,
      status = fStatus.value, q = fText.value.trim().toLowerCase(), was = keep === true ? upTo : 0;
  if (q && !hay) hay = C.map(function (c) {
    return (RAW.slice(c[I_S], c[I_E]) + "\u0001" + c[I_AFTER] + "\u0001" + c[I_RULE] + "\u0001" + c[I_NOTE] + "\u0001" + c[I_KIND]).toLowerCase();
  });
  if (cur >= 0 && rows[order[cur]]) rows[order[cur]].classList.remove("cur");
  cur = -1;
  order = [];
  var g = fGroup.value, look = fView.value === "look";
  for (var i = 0; i < N; i++) if (matches(i, st, k, r, lay, status, q, g, look)) order.push(i);
  if (look) order.sort(function (a, b) { return prio[a] - prio[b] || a - b; });
  var hiddenN = look ? routineCount(st, k, r, lay, status, q, g) : 0, sr = $("show-routine");
  sr.hidden = !hiddenN;
  sr.textContent = "+ " + hiddenN.toLocaleString("en") + " line joins & spacing";
  while (listEl.firstChild !== sentinel) listEl.removeChild(listEl.firstChild);
  upTo = 0;
  renderMore(was);
  if (!N) listEl.insertBefore(node("p", "empty-msg", "No changes: the clean text is the raw text."), sentinel);
  else if (!order.length) listEl.insertBefore(node("p", "empty-msg", "No change matches these filters."), sentinel);
  var n = order.length;
  $("shown").textContent = n === N ? N.toLocaleString("en") + " changes" : n.toLocaleString("en") + " of " + N.toLocaleString("en") + " shown";
  batchLabels();
  showElsewhere();
  window.reportFilterMs = performance.now() - t;
  return n;
}
function routineCount(st, k, r, lay, status, q, g) {
  var n = 0;
  for (var i = 0; i < N; i++) if (prio[i] === 4 && matches(i, st, k, r, lay, status, q, g, false)) n++;
  return n;
}
function undecided(kind) {  // the changes shown a batch action would decide
  return order.filter(function (i) {
    return !dec.has(C[i][I_ID]) && C[i][I_KIND] !== "review" && (kind !== "reject" || !structural(i))
      && (kind !== "hyphen" || canHyphen(i));
  });
}
function batchLabels() {
  var a = undecided("accept").length, r = undecided("reject").length;
  $("accept-shown").textContent = "accept " + a.toLocaleString("en") + " shown";
  $("reject-shown").textContent = "reject " + r.toLocaleString("en") + " shown";
  $("accept-shown").disabled = !a; $("reject-shown").disabled = !r;
  var h = undecided("hyphen").length, hb = $("hyphen-shown");
  hb.hidden = !h;
  hb.textContent = "turn " + h.toLocaleString("en") + " hyphen" + (h === 1 ? "" : "s") + " round";
}
[fStage, fKind, fRule, fLayout, fStatus].forEach(function (s) { s.addEventListener("change", applyFilter); });
fText.addEventListener("input", applyFilter);
function batch(action) {
  var todo = undecided(action);
  var verb = {accept: "Accept ", reject: "Reject ", hyphen: "Turn round "}[action];
  if (!todo.length || (todo.length > 50 && !confirm(verb + todo.length + " changes?"))) return;
  todo.forEach(function (i) { changeDecision(i, action, true); });
  decisionsChanged();
  applyFilter(true);
}
$("accept-shown").addEventListener("click", function () { batch("accept"); });
$("reject-shown").addEventListener("click", function () { batch("reject"); });
$("hyphen-shown").addEventListener("click", function () { batch("hyphen"); });
$("clear-shown").addEventListener("click", function () {
  var todo = order.filter(function (i) { return dec.has(C[i][I_ID]); });
  if (!todo.length || (todo.length > 20 && !confirm("Remove " + todo.length + " decisions?"))) return;
  todo.forEach(function (i) { changeDecision(i, null, true); });
  decisionsChanged();
  applyFilter(true);
});
document.querySelectorAll(".seg button[data-mode]").forEach(function (b) {
  b.addEventListener("click", function () {
    mode = b.dataset.mode;
    document.body.className = "mode-" + mode;
    document.querySelectorAll(".seg button[data-mode]").forEach(function (x) { x.setAttribute("aria-pressed", x.dataset.mode === mode ? "true" : "false"); });
    for (var k = 0; k < upTo; k++) { var i = order[k]; renderCtx(rows[i].children[2], i); rowMode[i] = mode; }
    textDone = false;
    if (!$("tab-text").hidden) renderText();
  });
});

/* -- the text view: clean paragraphs beside the raw lines they came from -- */
var textEl = $("text"), textDone = false, tJoins = $("t-joins");
function plainJoin(i) {  // a line break turned into a space (or nothing), nothing else
  var c = C[i], b = RAW.slice(c[I_S], c[I_E]);
  return c[I_LAY].length === 1 && c[I_LAY][0] === "lines joined" && !c[I_MOVED].length && /^\s+$/.test(b)
    && (c[I_AFTER] === " " || c[I_AFTER] === "");
}
function renderText() {
  textEl.textContent = "";
  // clean paragraph starts: 0 and every position after a "\n\n"
  var starts = [0], k;
  for (k = CLEAN.indexOf("\n\n"); k >= 0; k = CLEAN.indexOf("\n\n", k + 2)) starts.push(k + 2);
  // walk kept stretches and changes in order, cutting them at paragraph starts (clean offsets)
  var frag = document.createDocumentFragment(), b = 0, rawPos = 0, cpos = 0, block = null, showJoins = tJoins.checked;
  var side = mode === "side";
  BREAKS = side;
  function newBlock(rawAt) {
    var line = lineOf(rawAt);
    block = {el: node("div", side ? "tblock" : "tblock one"), raw: side ? node("div", "traw") : null, cln: node("div", "tcln")};
    block.el.appendChild(node("div", "tloc", "l. " + line));
    if (side) block.el.appendChild(block.raw);
    block.el.appendChild(block.cln);
    frag.appendChild(block.el);
  }
  function cleanPart(from, to, cls, i) {  // CLEAN[from, to) without paragraph separators, into the clean column
    var s = CLEAN.slice(from, to).replace(/\n\n/g, "");
    if (!s && cls !== "ins") return;
    if (cls) {
      var e = node("ins");
      if (s) addText(e, s); else { e.className = "empty"; e.textContent = "\u00b6"; e.title = "paragraph break"; }
      e.dataset.i = i;
      block.cln.appendChild(e);
    } else addText(block.cln, s);
  }
  newBlock(0);
  for (var i = 0; i <= N; i++) {
    var s = i < N ? C[i][I_S] : RAW.length, kept = RAW.slice(rawPos, s), cs0 = cpos;
    // kept raw text: same in both columns, cut where a clean paragraph starts inside it
    var at = 0;
    while (b + 1 < starts.length && starts[b + 1] <= cs0 + kept.length && starts[b + 1] > cs0) {
      var cut = starts[b + 1] - cs0;
      if (side) addText(block.raw, kept.slice(at, cut));
      cleanPart(cs0 + at, cs0 + cut, "", -1);
      b++; newBlock(rawPos + cut); at = cut;
    }
    if (at < kept.length) { if (side) addText(block.raw, kept.slice(at)); cleanPart(cs0 + at, cs0 + kept.length, "", -1); }
    cpos = cs0 + kept.length;
    if (i === N) break;
    var c = C[i], after = c[I_AFTER], join = !showJoins && plainJoin(i);
    if (join) { if (side) addText(block.raw, RAW.slice(c[I_S], c[I_E])); cleanPart(cpos, cpos + after.length, "", i); }
    else {
      var d = mark("del", RAW.slice(c[I_S], c[I_E]));
      d.dataset.i = i;
      if (c[I_LAY].indexOf("page break") >= 0) { var pb = node("span", "pill lay pb", "page break"); pb.dataset.i = i; (block.raw || block.cln).appendChild(pb); }
      (block.raw || block.cln).appendChild(d);
      // the written text, cut where clean paragraphs start inside it
      var from = cpos, end = cpos + after.length;
      while (b + 1 < starts.length && starts[b + 1] > cpos && starts[b + 1] <= end) {
        cleanPart(from, starts[b + 1], "ins", i);
        b++; newBlock(c[I_E]); from = starts[b];
      }
      if (from < end) cleanPart(from, end, "ins", i);
    }
    cpos += after.length; rawPos = c[I_E];
  }
  BREAKS = false;
  textEl.appendChild(frag);
  textDone = true;
}
var lineStarts = null;
function lineOf(pos) {
  if (!lineStarts) { lineStarts = [0]; for (var k = RAW.indexOf("\n"); k >= 0; k = RAW.indexOf("\n", k + 1)) lineStarts.push(k + 1); }
  var lo = 0, hi = lineStarts.length - 1;
  while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (lineStarts[mid] <= pos) lo = mid; else hi = mid - 1; }
  return lo + 1;
}
tJoins.addEventListener("change", renderText);
textEl.addEventListener("click", function (ev) {
  var t = ev.target.closest("[data-i]");
  if (!t || +t.dataset.i < 0) return;
  showTab("changes"); reveal(+t.dataset.i);
});

/* -- queries -- */
var qEl = $("queries"), qcards = null;
function makeQuery(k) {
  var q = Q[k], card = node("div", "qry");
  card.id = "q-" + q.id;
  card.dataset.k = k;
  var h = node("div", "qhead"), t = node("span", "qtext"), qt = q.text.replace(/ ?\u23ce ?/g, "\n");
  addText(t, qt, qt.trim().length <= 3);
  h.appendChild(t);
  h.appendChild(node("span", "muted", "l. " + q.line + ":" + q.col));
  h.appendChild(node("span", "", "score " + q.score));
  h.appendChild(node("span", "rule mono small", q.rule));
  h.appendChild(node("span", "", q.reason));
  card.appendChild(h);
  var ctx = node("div", "qctx");
  q.ctx = q.ctx.map(function (x) { return x.replace(/ ?\u23ce ?/g, "\n"); });  // the stage's line-break mark, shown as ours
  if (q.ctx[1]) {
    addText(ctx, "\u2026" + q.ctx[0]);
    var mk = node("mark"); addText(mk, q.ctx[1]); ctx.appendChild(mk);
    addText(ctx, q.ctx[2] + "\u2026");
  } else if (q.ctx[0]) addText(ctx, q.ctx[0]);
  else { addText(ctx, leftCtx(RAW, q.start)); var mr = node("mark"); addText(mr, RAW.slice(q.start, q.end)); ctx.appendChild(mr); addText(ctx, rightCtx(RAW, q.end)); }
  card.appendChild(ctx);
  var ev = PV && q.start >= 0 ? pivotAt(rawToClean(q.start)) : null;
  if (ev) card.appendChild(ev);
  var also = (ELSE.texts || {})[q.text];
  if (also) { var al = node("div", "small muted"); elsewhereLinks(al, "also queried in ", also, "reading=" + encodeURIComponent(q.text)); card.appendChild(al); }
  var act = node("div", "qact");
  if (q.suggestions.length) act.appendChild(node("span", "muted", "suggestions:"));
  q.suggestions.forEach(function (s) {
    var b = node("button", "sugg");
    b.type = "button"; b.dataset.reading = s; addText(b, s, true);
    if (s === "\u00b6") { b.appendChild(document.createTextNode(" new paragraph")); b.title = "resolve with a paragraph break here"; }
    act.appendChild(b);
  });
  var inp = node("input");
  inp.type = "text"; inp.placeholder = "type the reading";
  act.appendChild(inp);
  var use = node("button", "btn use", "use"); use.type = "button"; act.appendChild(use);
  var keep = node("button", "btn keep", "keep as is"); keep.type = "button"; keep.title = "the text is right: answer the query without changing the text"; act.appendChild(keep);
  if (WORD_RULES[q.rule]) {
    var wa = node("button", "btn wordadd", "add to word list"); wa.type = "button";
    wa.title = "keep as is here and wherever this word is queried, and list it in rules/words/" + D.witness.language + ".txt: the next run does not query it";
    act.appendChild(wa);
  }
  var undo = node("button", "btn undo", "undo"); undo.type = "button"; act.appendChild(undo);
  card.appendChild(act);
  card.appendChild(node("div", "qstate"));
  return card;
}
function paintQuery(k) {
  var q = Q[k], card = qcards[k], d = dec.get(q.id), reading = d && d.action === "resolve" ? d.reading : null;
  card.classList.toggle("done", !!d);
  card.querySelectorAll("button.sugg").forEach(function (b) { b.setAttribute("aria-pressed", b.dataset.reading === reading ? "true" : "false"); });
  card.querySelector("button.keep").setAttribute("aria-pressed", d && d.action === "accept" ? "true" : "false");
  var wb = card.querySelector("button.wordadd");
  if (wb) wb.setAttribute("aria-pressed", WORDS.indexOf(q.text) >= 0 ? "true" : "false");
  card.querySelector("button.undo").hidden = !d;
  var stEl = card.querySelector(".qstate");
  stEl.textContent = "";
  if (d && d.action === "accept") stEl.textContent = "kept as it is";
  else if (reading !== null) {
    stEl.appendChild(document.createTextNode("resolved \u2192 \u201c"));
    addText(stEl, reading, reading.trim().length <= 3);
    stEl.appendChild(document.createTextNode("\u201d"));
  }
}
function showQuery(k) {
  showTab("queries");
  if ($("q-status").value) { $("q-status").value = ""; filterQueries(); }
  var card = qcards[k];
  card.scrollIntoView({block: "center"});
  card.classList.add("flash");
  setTimeout(function () { card.classList.remove("flash"); }, 1500);
}
function renderQueries() {
  if (!qGroupFilled) fillQueryGroups();
  qcards = Q.map(function (q, k) { return makeQuery(k); });
  orderQueries();
  for (var k = 0; k < Q.length; k++) paintQuery(k);
  if (!Q.length) qEl.appendChild(node("p", "empty-msg", "No open queries."));
}
function orderQueries() {
  var idx = Q.map(function (q, k) { return k; });
  if ($("q-order").value === "score") idx.sort(function (a, b) { return Q[b].score - Q[a].score || a - b; });
  var frag = document.createDocumentFragment();
  idx.forEach(function (k) { frag.appendChild(qcards[k]); });
  qEl.appendChild(frag);
  filterQueries();
}
var WORD_RULES = {"detect.nonword": 1, "detect.name": 1};
function addWord(w, on) {  // list a word (or take it off the list): every query about it kept as is
  var i = WORDS.indexOf(w);
  if (on && i < 0) WORDS.push(w);
  if (!on && i >= 0) WORDS.splice(i, 1);
  Q.forEach(function (q, k) {
    if (q.text !== w || !WORD_RULES[q.rule]) return;
    var d = dec.get(q.id);
    if (on && !d) queryDecision(k, null, true, true);
    else if (!on && d && d.action === "accept") queryDecision(k, null, false, true);
    else if (qcards) paintQuery(k);
  });
  saveWords();
  decisionsChanged();
}
var qGroupFilled = false;
function fillQueryGroups() {
  var counts = new Map(), sel = $("q-group");
  Q.forEach(function (q) { counts.set(q.text, (counts.get(q.text) || 0) + 1); });
  Array.from(counts.keys()).sort(function (a, b) { return counts.get(b) - counts.get(a) || (a < b ? -1 : 1); }).slice(0, 400)
    .forEach(function (t) { var o = node("option", "", counts.get(t) + " \u00d7 " + (t.length > 40 ? t.slice(0, 39) + "\u2026" : t)); o.value = t; sel.appendChild(o); });
  qGroupFilled = true;
}
$("q-group").addEventListener("change", filterQueries);
function shownQueries() {
  return Q.map(function (q, k) { return k; }).filter(function (k) { return qcards && !qcards[k].hidden && !dec.has(Q[k].id); });
}
$("q-keep-shown").addEventListener("click", function () {
  shownQueries().forEach(function (k) { queryDecision(k, null, true, true); });
  decisionsChanged(); filterQueries();
});
$("q-words-shown").addEventListener("click", function () {
  var words = [];
  shownQueries().forEach(function (k) { if (WORD_RULES[Q[k].rule] && words.indexOf(Q[k].text) < 0) words.push(Q[k].text); });
  words.forEach(function (w) { addWord(w, true); });
  filterQueries();
});
function filterQueries() {
  var v = $("q-status").value, g = $("q-group").value, shown = 0;
  Q.forEach(function (q, k) {
    var done = dec.has(q.id), ok = (!v || (v === "done") === done) && (!g || q.text === g);
    qcards[k].hidden = !ok;
    if (ok) shown++;
  });
  $("q-shown").textContent = shown + " of " + Q.length + " shown";
  var open = shownQueries(), wq = open.filter(function (k) { return WORD_RULES[Q[k].rule]; }).length;
  $("q-keep-shown").textContent = "keep " + open.length + " shown as is";
  $("q-keep-shown").disabled = !open.length;
  $("q-words-shown").textContent = "add " + wq + " shown to word list";
  $("q-words-shown").disabled = !wq;
}
$("q-status").addEventListener("change", filterQueries);
$("q-order").addEventListener("change", orderQueries);
qEl.addEventListener("click", function (ev) {
  var t = ev.target.closest("button"), card = ev.target.closest(".qry");
  if (!t || !card) return;
  var k = +card.dataset.k, q = Q[k], d = dec.get(q.id);
  if (t.classList.contains("sugg")) queryDecision(k, d && d.reading === t.dataset.reading ? null : t.dataset.reading);
  else if (t.classList.contains("use")) { var v = card.querySelector("input").value; if (v.trim()) queryDecision(k, v.trim()); }
  else if (t.classList.contains("keep")) queryDecision(k, null, !(d && d.action === "accept"));
  else if (t.classList.contains("wordadd")) addWord(q.text, WORDS.indexOf(q.text) < 0);
  else if (t.classList.contains("undo")) queryDecision(k, null);
});
qEl.addEventListener("keydown", function (ev) {
  if (ev.key === "Enter" && ev.target.tagName === "INPUT") {
    var card = ev.target.closest(".qry"), v = ev.target.value.trim();
    if (v) queryDecision(+card.dataset.k, v);
  }
});

/* -- the decisions tab and the export -- */
function sortedDecisions() {
  var out = [];
  dec.forEach(function (info, id) { out.push(Object.assign({id: id}, info)); });
  out.sort(function (a, b) { return (a.line || 0) - (b.line || 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
  return out;
}
function stateOf(d) {
  if (staleSet.has(d.id)) return "stale";
  return same(dec.get(d.id), FILE[d.id]) ? "file" : "new";
}
var showAllDecisions = false;
function renderDecisions() {
  var body = $("decisions"), all = sortedDecisions(), LIMIT = showAllDecisions ? all.length : 300;
  body.textContent = "";
  all.slice(0, LIMIT).forEach(function (d) {
    var tr = node("tr"), st = stateOf(d), what = node("td", "t");
    tr.appendChild(node("td")).appendChild(node("span", "flag " + st, st));
    tr.appendChild(node("td", "", d.action + (d.action === "resolve" ? " \u2192 " : "")));
    if (d.action === "resolve") addText(tr.lastChild, d.reading, d.reading.trim().length <= 3);
    tr.appendChild(node("td", "num", d.line ? String(d.line) : ""));
    var i = byId.get(d.id), k = qById.get(d.id);
    if (d.text !== undefined) { var dt = d.text.replace(/ ?\u23ce ?/g, "\n"); addText(what, dt, dt.trim().length <= 3); }
    else if (d.before !== undefined || d.after !== undefined) {
      what.appendChild(mark("del", d.before || "")); what.appendChild(mark("ins", d.after || ""));
    } else what.textContent = d.id;
    if (i === undefined && k === undefined && st !== "stale") {
      what.appendChild(node("div", "muted small", d.action === "reject" ? "rejected: not applied in this run"
        : d.action === "resolve" ? "resolved: applied as an edit of kind review"
        : d.action === "paragraph" ? "paragraph break: applied as an edit of kind review"
        : d.action === "hyphen" ? "the other hyphen decision: applied as an edit of kind review" : "query answered: the text kept as it is"));
    }
    if (i !== undefined || k !== undefined) {
      var a = node("a", "small", "show"); a.href = "#" + (i !== undefined ? "c-" : "q-") + d.id;
      a.dataset.show = i !== undefined ? "c" : "q";
      what.appendChild(document.createTextNode(" ")); what.appendChild(a);
    }
    tr.appendChild(what);
    tr.appendChild(node("td", "rule mono small", d.rule || ""));
    tr.appendChild(node("td", "small", d.note || ""));
    var rm = node("button", "btn", "remove"); rm.type = "button"; rm.dataset.id = d.id;
    tr.appendChild(node("td")).appendChild(rm);
    body.appendChild(tr);
  });
  if (all.length > LIMIT) {
    var more = node("button", "btn", "show all " + all.length.toLocaleString("en") + " decisions");
    more.type = "button";
    more.addEventListener("click", function () { showAllDecisions = true; renderDecisions(); });
    var td = node("td");
    td.colSpan = 7;
    td.appendChild(more);
    body.appendChild(node("tr")).appendChild(td);
  }
}
$("decisions").addEventListener("click", function (ev) {
  var t = ev.target;
  if (t.tagName === "BUTTON" && t.dataset.id) { setDecision(t.dataset.id, null); renderDecisions(); }
  else if (t.tagName === "A" && t.dataset.show) {
    ev.preventDefault();
    var id = t.getAttribute("href").slice(3);
    if (t.dataset.show === "c") { showTab("changes"); reveal(byId.get(id)); }
    else showQuery(qById.get(id));
  }
});
$("discard-local").addEventListener("click", function () {
  var ids = Object.keys(local);
  if (!ids.length || !confirm("Discard " + ids.length + " decision(s) made here and not yet in review/" + W + ".toml?")) return;
  ids.forEach(function (id) { if (FILE[id]) dec.set(id, Object.assign({}, FILE[id])); else dec.delete(id); });
  local = {}; saveLocal();
  for (var i = 0; i < N; i++) paintRow(i);
  if (qcards) for (var k = 0; k < Q.length; k++) paintQuery(k);
  updateCounts(); renderDecisions();
});
function tomlString(s) {
  var o = '"';
  for (var i = 0; i < s.length; i++) {
    var ch = s[i], c = s.charCodeAt(i);
    if (ch === '"') o += '\\"';
    else if (ch === "\\") o += "\\\\";
    else if (ch === "\n") o += "\\n";
    else if (ch === "\t") o += "\\t";
    else if (c < 0x20 || c === 0x7f) o += "\\u" + hex(c);
    else o += ch;
  }
  return o + '"';
}
var FIELDS = ["id", "action", "reading", "note", "by", "line", "rule", "before", "after", "text"];
function reviewToml() {  /* the same text as pipeline.review.dump_review */
  var lines = ["# Review decisions for " + W + ": save as review/" + W + ".toml, then run `edition run`.",
    "# action: accept | reject | resolve (needs a reading) | paragraph | hyphen.",
    "# line/rule/before/after/text only say what a decision was about; the run reads id, action, reading.",
    "witness = " + tomlString(W)];
  if (WORDS.length) lines.push("words = [" + WORDS.map(tomlString).join(", ") + "]  # for rules/words/: `edition review import` adds them");
  lines.push("");
  sortedDecisions().forEach(function (d) {
    if (d.action !== "resolve") delete d.reading;
    lines.push("[[decision]]");
    FIELDS.forEach(function (f) {
      var v = d[f];
      if (v === undefined || v === null || (v === "" && (f === "note" || f === "by" || f === "rule"))) return;
      lines.push(f + " = " + (typeof v === "number" ? String(v) : tomlString(String(v))));
    });
    lines.push("");
  });
  return lines.join("\n");
}
$("export").addEventListener("click", function () {
  var blob = new Blob([reviewToml()], {type: "application/toml"});
  var a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = W + ".toml";
  document.body.appendChild(a);
  a.click();
  setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 2000);
});
window.reviewToml = reviewToml;
/* -- saving in place through `edition serve` (the page came from http://127.0.0.1) -- */
var BASE = D.review_sha, SERVED = location.protocol === "http:" || location.protocol === "https:";
$("save").hidden = !SERVED;
if (SERVED) { $("export").className = "btn"; $("export").textContent = "Export"; }
function say(text, ok) { var m = $("save-msg"); m.textContent = text; m.className = "small " + (ok ? "ok" : "bad"); }
$("save").addEventListener("click", function () {
  var list = sortedDecisions().map(function (d) {
    var o = {};
    FIELDS.forEach(function (f) { if (d[f] !== undefined && d[f] !== null && !(f === "reading" && d.action !== "resolve")) o[f] = d[f]; });
    return o;
  });
  say("saving\u2026", true);
  fetch("/api/review/" + encodeURIComponent(W), {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({base: BASE, decisions: list, words: WORDS})})
    .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
    .then(function (res) {
      var j = res[1];
      if (!res[0]) { say("not saved: " + j.error, false); return; }
      BASE = j.base;
      FILE = {};
      dec.forEach(function (info, id) { FILE[id] = Object.assign({}, info); });
      local = {}; saveLocal();
      WORDS = []; saveWords();
      if (qcards) for (var k = 0; k < Q.length; k++) paintQuery(k);
      updateCounts();
      if (!$("tab-decisions").hidden) renderDecisions();
      say("saved " + j.total + " decisions in " + j.file + (j.words.length ? " and " + j.words.length + " word(s) in rules/words/" : "") +
          ": run `edition run` to apply them", true);
    })
    .catch(function (e) { say("not saved: " + e, false); });
});

/* -- counts and tabs -- */
function updateCounts() {
  var done = 0, total = N + Q.length;
  for (var i = 0; i < N; i++) if (dec.has(C[i][I_ID]) || C[i][I_KIND] === "review") done++;
  Q.forEach(function (q) { if (dec.has(q.id)) done++; });
  dec.forEach(function (d, id) {  // rejected changes and resolved queries that are gone from this run
    // (a paragraph break is counted as the review edit it made, as pipeline.report.data does)
    if (!byId.has(id) && !qById.has(id) && !staleSet.has(id) && d.action !== "paragraph" && d.action !== "hyphen") { total++; done++; }
  });
  $("progress").textContent = done.toLocaleString("en") + " of " + total.toLocaleString("en") + " decided";
  $("progress-bar").style.width = (total ? Math.floor(100 * done / total) : 100) + "%";
  $("n-decisions").textContent = dec.size.toLocaleString("en");
  $("n-queries").textContent = Q.filter(function (q) { return !dec.has(q.id); }).length.toLocaleString("en");
  var n = Object.keys(local).length, u = $("unsaved");
  u.hidden = !n;
  u.textContent = n + " not yet in the review file";
  u.title = n + " decision" + (n === 1 ? "" : "s") + " made here and not yet in review/" + W + ".toml: save (or export), run";
}
function showTab(name) {
  document.querySelectorAll(".tabs button").forEach(function (b) { b.setAttribute("aria-selected", b.dataset.tab === name ? "true" : "false"); });
  ["changes", "text", "queries", "decisions"].forEach(function (n) { $("tab-" + n).hidden = n !== name; });
  if (name === "text" && !textDone) renderText();
  $("filters").hidden = name !== "changes";
  if (name === "queries" && !qcards) renderQueries();
  if (name === "decisions") renderDecisions();
}
document.querySelectorAll(".tabs button").forEach(function (b) { b.addEventListener("click", function () { showTab(b.dataset.tab); }); });

applyFilter();
updateCounts();
saveWords();
var h = location.hash.slice(1);
if (h.slice(0, 5) === "rule=") { selectGroup("rule", decodeURIComponent(h.slice(5))); applyFilter(); }
else if (h.slice(0, 8) === "reading=") {
  showTab("queries");
  var want = decodeURIComponent(h.slice(8)), qg = $("q-group");
  if (Array.prototype.some.call(qg.options, function (o) { return o.value === want; })) { qg.value = want; filterQueries(); }
}
else if (h === "queries" || h === "decisions" || h === "text") showTab(h);
else if (h.slice(0, 2) === "q-" && qById.has(h.slice(2))) showQuery(qById.get(h.slice(2)));
else if (h.slice(0, 2) === "c-" && byId.has(h.slice(2))) reveal(byId.get(h.slice(2)));
window.reportRenderMs = performance.now() - t0;
window.reportReadyAt = performance.now();  // since navigation start
document.documentElement.dataset.ready = "1";
})();
