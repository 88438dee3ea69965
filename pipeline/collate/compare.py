"""Same-language collation: align witnesses token by token against a base,
group the differences into variant locations and readings, and classify them.

The steps follow CollateX (tokenize -> align -> variants -> output), each a
function: `keys` normalises tokens so that spelling and case do not disturb the
alignment, `align` (near-linear) pairs the tokens, `locations` unites the
differences of all witnesses into places in the base, and `variants` turns each
place into readings and a kind.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from functools import lru_cache

from pipeline.collate.align import Opcode, align
from pipeline.collate.classify import classify_readings, ortho_key
from pipeline.collate.model import Reading, Row, Span, Variant, WitnessText
from pipeline.collate.segment import Token, tokenize_paragraphs
from pipeline.heap import no_cyclic_gc

_PUNCT_KEYS = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
                             "–": "-", "—": "-", "‒": "-", "―": "-", "‐": "-", "…": "."})


@lru_cache(maxsize=200_000)
def token_key(text: str) -> str:
    """The alignment key of a token: spelling-, case- and quote-style-neutral."""
    if text[0].isalnum():
        return ortho_key(text)
    return unicodedata.normalize("NFC", text).translate(_PUNCT_KEYS)


def boundary_maps(ops: list[Opcode], n_base: int) -> tuple[list[int], list[int]]:
    """For each base boundary p (0..n): L[p], R[p] = the other witness's tokens inserted at p are other[L[p]:R[p]]."""
    left = [-1] * (n_base + 1)
    right = [-1] * (n_base + 1)
    end_other = 0
    for tag, i1, i2, j1, j2 in ops:
        if tag == "insert":
            left[i1], right[i1] = j1, j2
            end_other = j2
            continue
        if left[i1] < 0:
            left[i1] = right[i1] = j1
        for k in range(1, i2 - i1):
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                left[i1 + k] = right[i1 + k] = j1 + k
            else:
                left[i1 + k] = right[i1 + k] = j1
        end_other = j2
    if left[n_base] < 0:
        left[n_base] = right[n_base] = end_other
    return left, right


def diff_ranges(ops: list[Opcode], base: list[Token], other: list[Token], bkeys: list[str],
                okeys: list[str]) -> list[tuple[int, int]]:
    """Base ranges (s, e) where this witness differs; (p, p) is an insertion at p.

    A replacement of n tokens by n is split into one range per differing token, so that
    "labour ... centre" changed in one stretch gives two variants, not one; a
    same-key token with another surface form (centre/center) is a range of its own.
    """
    out: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out.extend((i1 + k, i1 + k + 1) for k in range(i2 - i1) if base[i1 + k].text != other[j1 + k].text)
        elif tag == "replace" and i2 - i1 == j2 - j1 and sorted(bkeys[i1:i2]) != sorted(okeys[j1:j2]):
            out.extend((i1 + k, i1 + k + 1) for k in range(i2 - i1))
        else:
            out.append((i1, i2))
    return out


def locations(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Unite overlapping ranges of all witnesses into variant locations in base order.

    An insertion point (p, p) joins a range only if p is strictly inside it; an
    insertion at the edge of a range is a place of its own.
    """
    merged: list[list[int]] = []
    for s, e in sorted(set(ranges)):
        if merged and _overlaps(merged[-1], s, e):
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _overlaps(current: list[int], s: int, e: int) -> bool:
    """Does range (s, e) overlap the current location?"""
    ms, me = current
    if ms == me:
        return s == e == ms
    if s == e:
        return ms < s < me
    return s < me


def _spans(tokens: list[Token], a: int, b: int) -> list[Span]:
    """Paragraph spans covered by tokens[a:b]; an empty range gives a zero-width point."""
    if a >= b:
        if not tokens:
            return []
        t = tokens[a - 1] if a > 0 else tokens[0]
        pos = t.end if a > 0 else t.start
        return [(t.para, pos, pos)]
    spans: list[Span] = []
    for t in tokens[a:b]:
        if spans and spans[-1][0] == t.para:
            spans[-1] = (t.para, spans[-1][1], t.end)
        else:
            spans.append((t.para, t.start, t.end))
    return spans


def _surface(paras: dict[int, str], spans: list[Span], empty: bool) -> str:
    """The reading as printed in the witness ('' for an omission)."""
    if empty:
        return ""
    return " ¶ ".join(paras[p][s:e] for p, s, e in spans)


SENTENCE_END = {".", "?", "!", "…"}


def slide_gaps(ops: list[Opcode], base: list[Token], other: list[Token], bkeys: list[str],
               okeys: list[str]) -> list[Opcode]:
    """Slide each omission or addition between two equal stretches to where it starts a
    sentence, if it can go there: 'Is this syndicalism? Is it not…' less one question is the
    question left out, not 'this syndicalism? Is'. An edit can slide left while the token
    before it equals its last token (the aligned text is the same either way)."""
    ops = list(ops)
    for k in range(1, len(ops) - 1):
        tag, i1, i2, j1, j2 = ops[k]
        prev, nxt = ops[k - 1], ops[k + 1]
        if tag not in ("delete", "insert") or prev[0] != "equal" or nxt[0] != "equal":
            continue
        toks, keys, a, b = (base, bkeys, i1, i2) if tag == "delete" else (other, okeys, j1, j2)
        lo = prev[1] if tag == "delete" else prev[3]  # how far left the equal stretch before allows
        best, shift = None, 0
        while True:
            if _starts_sentence(toks, a - shift):
                best = shift
                break
            if a - shift - 1 < lo or keys[a - shift - 1] != keys[b - shift - 1]:
                break
            shift += 1
        if not best:
            continue
        s = best
        ops[k - 1] = (prev[0], prev[1], prev[2] - s, prev[3], prev[4] - s)
        ops[k] = (tag, i1 - s, i2 - s, j1 - s, j2 - s)
        ops[k + 1] = (nxt[0], nxt[1] - s, nxt[2], nxt[3] - s, nxt[4])
    return [op for op in ops if op[1] != op[2] or op[3] != op[4]]


def _starts_sentence(toks: list[Token], k: int) -> bool:
    """Does token k open a sentence (the first of its paragraph, or after . ? ! …)?"""
    return k == 0 or toks[k].para != toks[k - 1].para or toks[k - 1].text in SENTENCE_END


def collate_tokens(witnesses: list[tuple[str, dict[int, str], list[Token]]]) -> list[Variant]:
    """Variants among witnesses of one language; the first is the base.

    Each witness is (id, {paragraph number: text}, tokens). Returns the variants in base order.
    """
    base_id, base_paras, base = witnesses[0]
    bkeys = [token_key(t.text) for t in base]
    per_witness = []
    all_ranges: list[tuple[int, int]] = []
    for wid, paras, toks in witnesses[1:]:
        okeys = [token_key(t.text) for t in toks]
        ops = slide_gaps(align(bkeys, okeys), base, toks, bkeys, okeys)
        per_witness.append((wid, paras, toks, boundary_maps(ops, len(base))))
        all_ranges.extend(diff_ranges(ops, base, toks, bkeys, okeys))
    out: list[Variant] = []
    for s, e in locations(all_ranges):
        readings = [(base_id, base_paras, base, s, e)]
        for wid, paras, toks, (left, right) in per_witness:
            a, b = (left[s], right[s]) if s == e else (right[s], left[e])
            readings.append((wid, paras, toks, a, b))
        variant = _variant(readings)
        if variant is not None:
            out.append(variant)
    return mark_transpositions(out, {wid: paras for wid, paras, _ in witnesses})


def _variant(readings) -> Variant | None:
    """Group the witnesses' readings of one location by text, and classify them."""
    grouped: dict[str, Reading] = {}
    token_lists: dict[str, list[str]] = {}
    for wid, paras, toks, a, b in readings:
        spans = _spans(toks, a, b)
        text = _surface(paras, spans, a >= b)
        r = grouped.get(text)
        if r is None:
            r = grouped[text] = Reading(text, [], {})
            token_lists[text] = [t.text for t in toks[a:b]]
        r.witnesses.append(wid)
        r.spans[wid] = spans
    if len(grouped) < 2:
        return None
    rs = list(grouped.values())
    kind = classify_readings(token_lists[rs[0].text], [token_lists[r.text] for r in rs[1:]])
    return Variant(kind, rs)


def mark_transpositions(variants: list[Variant], texts: dict[str, dict[int, str]], reach: int = 4) -> list[Variant]:
    """An omission and an addition of the same words close by are one transposition:
    the two places become one variant spanning both (when each witness's side lies in
    one paragraph); two substitutions that exchange words are marked too."""
    out: list[Variant] = []
    k = 0
    while k < len(variants):
        v = variants[k]
        if v.kind in ("substantive", "ocr") and len(v.readings) == 2:
            a, b = v.readings
            if a.text and b.text:
                _swapped(v, variants[k + 1:k + 1 + reach])
            else:
                off = _moved_partner(v, variants[k + 1:k + 1 + reach])
                merged = _join(v, variants[k + off], texts) if off else None
                if merged is not None:
                    out.extend(variants[k + 1:k + off])
                    out.append(merged)
                    k += off + 1
                    continue
        out.append(v)
        k += 1
    return out


def _words_key(r: Reading) -> tuple[str, ...]:
    """The words of a reading, spelling-neutral, for comparing moved or exchanged words."""
    return tuple(token_key(w) for w in r.text.split() if w[0].isalnum())


def _moved_partner(v: Variant, following: list[Variant]) -> int:
    """Offset (1-based) of the place where v's omitted words reappear, 0 if none close by."""
    a, b = v.readings
    moved = a if not b.text else b
    if not _words_key(moved):
        return 0
    for off, u in enumerate(following, 1):
        if len(u.readings) == 2 and u.kind == "substantive":
            ua, ub = u.readings
            back = ua if not ub.text else ub if not ua.text else None
            if back is not None and _words_key(back) == _words_key(moved) and (back is ua) != (moved is a):
                v.kind = u.kind = "transposition"
                v.note = u.note = f"moved: {moved.text}"
                return off
    return 0


def _join(first: Variant, second: Variant, texts: dict[str, dict[int, str]]) -> Variant | None:
    """One variant covering two places, if each witness's two spans lie in one paragraph."""
    readings = []
    for r1, r2 in zip(first.readings, second.readings):
        if r1.witnesses != r2.witnesses:
            return None
        spans, text = {}, ""
        for wid in r1.witnesses:
            s1, s2 = r1.spans.get(wid, []), r2.spans.get(wid, [])
            if not s1 or not s2 or s1[0][0] != s2[-1][0]:
                return None
            p, start, end = s1[0][0], s1[0][1], s2[-1][2]
            para = texts[wid][p]
            while start < end and para[start].isspace():  # an omission point sits after the previous word
                start += 1
            spans[wid] = [(p, start, end)]
            text = para[start:end]
        readings.append(Reading(text, list(r1.witnesses), spans))
    return Variant("transposition", readings, first.note)


def _swapped(v: Variant, following: list[Variant]) -> None:
    """Two substitutions that exchange their words ("here and there" / "there and here")."""
    a, b = v.readings
    for u in following:
        if len(u.readings) == 2 and u.readings[0].text and u.readings[1].text and \
                _words_key(u.readings[0]) == _words_key(b) and _words_key(u.readings[1]) == _words_key(a):
            v.kind = u.kind = "transposition"
            v.note = u.note = f"exchanged: {a.text} / {b.text}"
            return


def collate_passage(members: list[WitnessText], cells: dict[str, list[int]],
                    tokens: dict[str, dict[int, list[Token]]] | None = None) -> list[Variant]:
    """Variants among the witnesses of one language in one aligned row.

    `tokens` (witness -> paragraph -> tokens) saves tokenizing again when the caller has them.
    """
    inputs = []
    for w in members:
        nums = cells.get(w.id, [])
        if not nums:
            continue
        paras = {n: w.paragraphs[n] for n in nums}
        if tokens is not None:
            toks = [t for n in nums for t in tokens[w.id].get(n, [])]
        else:
            toks = tokenize_paragraphs([paras[n] for n in nums], nums)
        inputs.append((w.id, paras, toks))
    if len(inputs) < 2:
        return []
    return collate_tokens(inputs)


def compare_witnesses(witnesses: list[WitnessText]) -> list[Row]:
    """Collate whole same-language witnesses (see _compare)."""
    with no_cyclic_gc():
        return _compare(witnesses)


def _compare(witnesses: list[WitnessText]) -> list[Row]:
    """Collate whole same-language witnesses: rows of paragraphs linked by aligned tokens.

    Paragraphs linked by aligned tokens share a row (so 1-n and n-1 appear when one
    witness splits a paragraph); a paragraph with nothing aligned gets a row of its own.
    Rows follow the first (base) witness; variants are attached to their row.
    """
    base = witnesses[0]
    toks = {w.id: tokenize_paragraphs(w.paragraphs) for w in witnesses}
    btoks = toks[base.id]
    bkeys = [token_key(t.text) for t in btoks]
    links: dict[str, list[tuple[int, int]]] = {}
    for w in witnesses[1:]:
        okeys = [token_key(t.text) for t in toks[w.id]]
        links[w.id] = [(btoks[i1 + k].para, toks[w.id][j1 + k].para)
                       for tag, i1, i2, j1, j2 in align(bkeys, okeys) if tag in ("equal", "replace")
                       for k in range(min(i2 - i1, j2 - j1))]
    rows = paragraph_rows(witnesses, links)
    by_para: dict[str, dict[int, list[Token]]] = {}
    for wid, ts in toks.items():
        d = by_para[wid] = {}
        for t in ts:
            d.setdefault(t.para, []).append(t)
    for row in rows:
        row.variants = collate_passage(witnesses, row.cells, by_para)
    link_moves(rows, witnesses)
    return rows


def paragraph_rows(witnesses: list[WitnessText], links: dict[str, list[tuple[int, int]]]) -> list[Row]:
    """Group paragraphs linked to base paragraphs into rows (connected components, base order)."""
    base = witnesses[0]
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for w in witnesses:
        for p in range(len(w.paragraphs)):
            find((w.id, p))
    for wid, pairs in links.items():
        for bp, op in set(pairs):
            ra, rb = find((base.id, bp)), find((wid, op))
            if ra != rb:
                parent[rb] = ra
    changed = True
    while changed:  # a row holds consecutive base paragraphs: join what lies between
        changed = False
        span: dict[tuple[str, int], list[int]] = {}
        for p in range(len(base.paragraphs)):
            r = find((base.id, p))
            lo_hi = span.setdefault(r, [p, p])
            lo_hi[1] = p
        for lo, hi in span.values():
            for p in range(lo + 1, hi + 1):
                ra, rb = find((base.id, lo)), find((base.id, p))
                if ra != rb:
                    parent[rb] = ra
                    changed = True
    groups: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for node in list(parent):
        groups[find(node)].append(node)
    rows = []
    for members in groups.values():
        cells = {w.id: sorted(p for wid, p in members if wid == w.id) for w in witnesses}
        rows.append(Row(cells, kind="-".join(str(len(cells[w.id])) for w in witnesses)))
    return sorted(rows, key=row_position(rows, witnesses))


def row_position(rows: list[Row], witnesses: list[WitnessText]):
    """Sort key for rows: the base paragraph; a row the base lacks goes after the base
    paragraph that the witness's previous paragraph is aligned with."""
    base = witnesses[0].id
    order = {w.id: k for k, w in enumerate(witnesses)}
    placed: dict[tuple[str, int], int] = {}
    for row in rows:
        if row.cells[base]:
            for wid, nums in row.cells.items():
                for q in nums:
                    placed[(wid, q)] = row.cells[base][-1]

    def key(row: Row) -> tuple:
        if row.cells[base]:
            return (row.cells[base][0], 0, 0)
        wid = next(w.id for w in witnesses if row.cells[w.id])
        q = row.cells[wid][0]
        prev = next((placed[(wid, k)] for k in range(q - 1, -1, -1) if (wid, k) in placed), -1)
        return (prev + 0.5, order[wid], q)
    return key


# ---------------------------------------------------------------- moves

MOVE_MIN_WORDS = 3  # a moved passage: at least this many words (shorter ones are ordinary omissions)
MOVE_SIMILARITY = 80.0  # rapidfuzz ratio of the spelling-neutral words, left and found again


def link_moves(rows: list[Row], witnesses: list[WitnessText], whole_paragraphs: bool = True) -> int:
    """Find passages that one witness has at one place and another at a different place
    (a sentence or a paragraph moved), and mark both places as one move.

    Candidates are the omissions and additions of MOVE_MIN_WORDS words or more (a variant
    whose reading is empty in one witness), and the paragraphs a witness has alone in a
    row (with `whole_paragraphs`: rows of a word-by-word comparison). An omission and an addition of (nearly) the same words by the same witnesses are
    paired; both become `transposition` variants whose note says where the other half is.
    Returns the number of moves found.
    """
    from rapidfuzz import fuzz

    by_id = {w.id: w for w in witnesses}
    solo: set[int] = set()  # ids of variants made for paragraphs alone in their row (kept only if they moved)
    gone: list[tuple[int, Variant, str, str]] = []  # (row, variant, witness that lacks it here, words)
    come: list[tuple[int, Variant, str, str]] = []  # (row, variant, witness that has it here alone, words)
    for k, row in enumerate(rows):
        for v in row.variants:
            if len(v.readings) != 2 or v.kind == "transposition":
                continue
            a, b = v.readings
            full, empty = (a, b) if a.text and not b.text else (b, a) if b.text and not a.text else (None, None)
            if full is None or len(empty.witnesses) != 1:
                continue
            words = _move_words(full.text)
            if len(words.split()) >= MOVE_MIN_WORDS:
                (gone if full is a else come).append((k, v, empty.witnesses[0] if full is a else full.witnesses[0], words))
        present = [wid for wid, nums in row.cells.items() if nums]
        if whole_paragraphs and len(present) == 1 and not row.variants and len(row.cells) > 1:
            wid = present[0]
            text = " ¶ ".join(by_id[wid].paragraphs[p] for p in row.cells[wid])
            words = _move_words(text)
            if len(words.split()) >= MOVE_MIN_WORDS:
                spans = [(p, 0, len(by_id[wid].paragraphs[p])) for p in row.cells[wid]]
                others = [x for x in row.cells if x != wid]
                base_first = wid == next(iter(row.cells))
                readings = [Reading(text, [wid], {wid: spans}), Reading("", others, {})]
                v = Variant("substantive", readings if base_first else readings[::-1])
                row.variants.append(v)
                solo.add(id(v))
                (gone if base_first else come).append((k, v, others[0] if base_first else wid, words))
    moves = 0
    used: set[int] = set()
    for k1, v1, w1, words1 in gone:
        best, arg = MOVE_SIMILARITY, None
        for idx, (k2, v2, w2, words2) in enumerate(come):
            if idx in used or w2 != w1 or v2 is v1:
                continue
            if abs(len(words1) - len(words2)) > 0.3 * max(len(words1), len(words2)):
                continue
            score = fuzz.ratio(words1, words2)
            if score >= best:
                best, arg = score, idx
        if arg is None:
            continue
        used.add(arg)
        k2, v2, _, _ = come[arg]
        size = "paragraph" if id(v1) in solo or id(v2) in solo else "passage"
        n = len(words1.split())
        v1.kind = v2.kind = "transposition"
        v1.note = f"moved {size} ({n} words): {w1} has it at row {k2}"
        v2.note = f"moved {size} ({n} words): {w1} has it here, the others at row {k1}"
        v1.move = {"from_row": k1, "to_row": k2, "witness": w1, "size": size, "words": n}
        v2.move = dict(v1.move)
        solo.discard(id(v1))
        solo.discard(id(v2))
        moves += 1
    for row in rows:  # a paragraph alone in its row that found no partner is an addition, not a variant
        row.variants = [v for v in row.variants if id(v) not in solo]
    return moves


def _move_words(text: str) -> str:
    """The words of a passage, spelling-neutral, for comparing what left and what came."""
    return " ".join(token_key(t.text) for t in tokenize_paragraphs([text]) if t.is_word)
