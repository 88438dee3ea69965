"""The memos a process keeps from one witness to the next (functools.lru_cache of pure functions
of words, the lexicons' own memos): each is bounded, so a worker that cleans many books holds at
most their caps (benchmarks/scale.py measures the peak), and what they remember changes no
decision: a witness cleaned with warm memos, or with memos emptied and kept tiny, gives the same
outputs."""
from __future__ import annotations

import functools
import gc

from pipeline.commands.execute import FileTask, bundle_of, clean_file_task
from tests.conftest import ROOT

# memos whose keys come from a small fixed set (never from a text's words), so no cap is needed
UNBOUNDED = {"pipeline.stages.detect._rule"}  # one key per detection kind


def _memos() -> dict[str, functools._lru_cache_wrapper]:
    return {f"{o.__module__}.{o.__qualname__}": o for o in gc.get_objects()
            if isinstance(o, functools._lru_cache_wrapper) and (o.__module__ or "").startswith("pipeline.")}


def _task(name: str, size: int, language: str = "en") -> FileTask:
    data = (ROOT / "raw" / name).read_bytes()[:size].rsplit(b"\n", 1)[0] + b"\n"
    return FileTask(name.removesuffix(".txt"), name, data, language, "auto")


def test_every_memo_of_words_is_bounded(built):
    """After the corpus run (every stage has run in this process): no memo grows with the texts."""
    memos = _memos()
    assert len(memos) > 20  # the stages' memos are loaded: the check below sees them
    unbounded = sorted(name for name, m in memos.items() if m.cache_info().maxsize is None)
    assert set(unbounded) <= UNBOUNDED, unbounded
    for name, m in memos.items():
        info = m.cache_info()
        assert info.maxsize is None or info.currsize <= info.maxsize, name


def test_warm_memos_emptied_memos_and_tiny_memos_decide_the_same(resources, monkeypatch):
    """A witness cleaned after another (memos warm) is cleaned as in a process whose memos were
    just emptied, and as with the lexicons' memos held to 50 entries (emptied again and again)."""
    from pipeline import lexicon
    bundle = bundle_of(resources)
    lenin = _task("lenin-trade-unions.txt", 30_000)
    clean_file_task(bundle, _task("allen-documents.txt", 20_000))
    warm = clean_file_task(bundle, lenin)
    for m in _memos().values():
        if (m.cache_info().maxsize or 0) > 100:  # the per-word memos (not the loaded tables)
            m.cache_clear()
    monkeypatch.setattr(lexicon, "MEMO_MAX", 50)
    lex = resources.lexicon("en")
    for memo in (lex._freqs, lex._zipfs, lex._derived):
        memo.clear()
    cold = clean_file_task(bundle, lenin)
    assert max(len(lex._freqs), len(lex._zipfs), len(lex._derived)) <= 50
    assert cold == warm
    assert cold[0] and cold[1].data  # a real cleaning: text and changes
