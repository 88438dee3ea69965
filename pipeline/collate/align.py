"""Same-language token alignment in near-linear time.

Aligning two witnesses of 100,000 words with a full edit-distance matrix is
quadratic. Like `patience diff`, we first fix anchors: tokens that occur exactly
once in each witness, kept in the longest run that is in the same order in both
(a longest increasing subsequence). Between anchors the gaps are small, and
rapidfuzz aligns them exactly (Levenshtein opcodes on token sequences). A gap
that has no unique token and is still large (repetitive text) is aligned in
overlapping windows, so time and memory stay bounded.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from typing import Hashable, Sequence

from rapidfuzz.distance import Levenshtein

EXACT_LIMIT = 4_000_000  # gap size (len a * len b) aligned exactly by rapidfuzz
WINDOW = 1500  # window of the fallback for large gaps without anchors

Opcode = tuple[str, int, int, int, int]


def align(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """Opcodes (tag, i1, i2, j1, j2) turning a into b, as difflib/rapidfuzz give them.

    Tags are "equal", "replace", "delete", "insert"; consecutive opcodes cover
    both sequences without gaps.
    """
    ops: list[Opcode] = []
    _align(a, b, 0, len(a), 0, len(b), ops)
    return _merge(ops)


def _align(a, b, i1: int, i2: int, j1: int, j2: int, ops: list[Opcode]) -> None:
    """Align a[i1:i2] with b[j1:j2], appending opcodes."""
    while i1 < i2 and j1 < j2 and a[i1] == b[j1]:  # common prefix
        ops.append(("equal", i1, i1 + 1, j1, j1 + 1))
        i1, j1 = i1 + 1, j1 + 1
    tail: list[Opcode] = []
    while i2 > i1 and j2 > j1 and a[i2 - 1] == b[j2 - 1]:  # common suffix
        tail.append(("equal", i2 - 1, i2, j2 - 1, j2))
        i2, j2 = i2 - 1, j2 - 1
    if i1 == i2 or j1 == j2:
        if i1 < i2:
            ops.append(("delete", i1, i2, j1, j1))
        elif j1 < j2:
            ops.append(("insert", i1, i1, j1, j2))
    elif (i2 - i1) * (j2 - j1) <= EXACT_LIMIT:
        _exact(a, b, i1, i2, j1, j2, ops)
    else:
        anchors = unique_anchors(a, b, i1, i2, j1, j2)
        if anchors:
            pi, pj = i1, j1
            for ai, bj in anchors:
                _align(a, b, pi, ai, pj, bj, ops)
                ops.append(("equal", ai, ai + 1, bj, bj + 1))
                pi, pj = ai + 1, bj + 1
            _align(a, b, pi, i2, pj, j2, ops)
        else:
            _windowed(a, b, i1, i2, j1, j2, ops)
    ops.extend(reversed(tail))


def _exact(a, b, i1: int, i2: int, j1: int, j2: int, ops: list[Opcode]) -> None:
    """Align a small gap exactly with rapidfuzz."""
    for op in Levenshtein.opcodes(a[i1:i2], b[j1:j2]):
        ops.append((op.tag, op.src_start + i1, op.src_end + i1, op.dest_start + j1, op.dest_end + j1))


def unique_anchors(a, b, i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int]]:
    """Pairs (i, j) of tokens unique in both ranges, in the longest order-preserving chain."""
    ca = Counter(a[i1:i2])
    cb = Counter(b[j1:j2])
    where_b = {b[j]: j for j in range(j1, j2) if cb[b[j]] == 1 and ca.get(b[j]) == 1}
    pairs = [(i, where_b[a[i]]) for i in range(i1, i2) if a[i] in where_b]
    return longest_increasing(pairs)


def longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of pairs (sorted by first item) whose second items increase."""
    tails: list[int] = []  # smallest j ending a chain of each length
    tail_idx: list[int] = []
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        back[k] = tail_idx[pos - 1] if pos else -1
    chain, k = [], tail_idx[-1] if tail_idx else -1
    while k >= 0:
        chain.append(pairs[k])
        k = back[k]
    return chain[::-1]


def _windowed(a, b, i1: int, i2: int, j1: int, j2: int, ops: list[Opcode]) -> None:
    """Align a large gap without anchors in overlapping windows (linear in its length)."""
    i, j = i1, j1
    while True:
        ea, eb = min(i2, i + WINDOW), min(j2, j + WINDOW)
        if ea == i2 and eb == j2:
            _exact(a, b, i, i2, j, j2, ops)
            return
        local: list[Opcode] = []
        _exact(a, b, i, ea, j, eb, local)
        half_i, half_j = i + WINDOW // 2, j + WINDOW // 2
        cut = -1
        for k, (tag, x1, x2, y1, y2) in enumerate(local):
            if x2 > half_i or y2 > half_j:
                keep = min(half_i - x1, half_j - y1)
                if tag == "equal" and keep > 0:  # an equal run across the middle: keep its first part
                    local[k] = (tag, x1, x1 + keep, y1, y1 + keep)
                    cut = k
                break
            if tag == "equal":
                cut = k
        if cut < 0:  # nothing in common in the first half: give it up as a replacement
            ops.append(("replace", i, half_i if ea > half_i else ea, j, half_j if eb > half_j else eb))
            i, j = ops[-1][2], ops[-1][4]
        else:
            ops.extend(local[:cut + 1])
            i, j = local[cut][2], local[cut][4]
        if i >= i2 or j >= j2:
            _align(a, b, i, i2, j, j2, ops)
            return


def _merge(ops: list[Opcode]) -> list[Opcode]:
    """Join adjacent opcodes of the same tag, and a delete next to an insert into a replace."""
    out: list[Opcode] = []
    for op in ops:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if out:
            tag, x1, x2, y1, y2 = out[-1]
            if tag == op[0] or (tag != "equal" and op[0] != "equal"):
                new_tag = tag if tag == op[0] else "replace"
                out[-1] = (new_tag, x1, op[2], y1, op[4])
                continue
        out.append(op)
    return out
