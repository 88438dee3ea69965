"""How sure a document's own count makes a rate: the evidence behind a "habit" of its print."""
from __future__ import annotations


def share_at_least(k: int, n: int, z: float = 1.96) -> float:
    """The lower bound of the Wilson score interval of a share of k in n (z 1.96: 95 %): a share
    this document shows surely, not by the chance of a few places (2 in 17 is at least 0.03)."""
    if n <= 0:
        return 0.0
    p = k / n
    mid = p + z * z / (2 * n)
    spread = z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
    return (mid - spread) / (1 + z * z / n)
