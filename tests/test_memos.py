"""The memos a process keeps from one witness to the next (functools.lru_cache of pure functions
of words, the lexicons' own memos): each is bounded, so a worker that cleans many books holds at
most their caps (benchmarks/scale.py measures the peak), and what they remember changes no
decision: a witness cleaned with warm memos, or with memos emptied and kept tiny, gives the same
outputs."""
from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import sys

import pipeline
from pipeline.commands.execute import FileTask, bundle_of, clean_file_task
from tests.conftest import ROOT

# what does not run while a witness is cleaned (collation and reports run once per edition)
NOT_CLEANING = ("pipeline.report", "pipeline.collate", "pipeline.commands", "pipeline.cli", "pipeline.__main__")
# memos whose keys come from a small fixed set (never from a text's words), so no cap is needed
UNBOUNDED = {"pipeline.stages.detect._rule"}  # one key per detection kind


def _memos(resources) -> dict[str, functools._lru_cache_wrapper]:
    """Every lru_cache of the pipeline's modules, and the language model's (made per lexicon)."""
    from pipeline.correct.context import _language_parts
    for m in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        if not m.name.startswith(NOT_CLEANING):
            importlib.import_module(m.name)
    found = {f"{name}.{attr}": v for name, mod in list(sys.modules.items())
             if name.startswith("pipeline.") and not name.startswith(NOT_CLEANING)
             for attr, v in vars(mod).items() if isinstance(v, functools._lru_cache_wrapper)
             and inspect.signature(v.__wrapped__).parameters}  # one without arguments holds one value
    for lang in ("en", "ru"):
        for f in _language_parts(resources.lexicon(lang)):
            if isinstance(f, functools._lru_cache_wrapper):
                found[f"{lang}.{f.__qualname__}"] = f
    return found


def _task(name: str, size: int, language: str = "en") -> FileTask:
    data = (ROOT / "raw" / name).read_bytes()[:size].rsplit(b"\n", 1)[0] + b"\n"
    return FileTask(name.removesuffix(".txt"), name, data, language, "auto")


def test_every_memo_of_words_is_bounded(resources):
    """No memo of the stages, the lexicons or the models grows with the texts."""
    memos = _memos(resources)
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
    for m in _memos(resources).values():
        if (m.cache_info().maxsize or 0) > 100:  # the per-word memos (not the loaded tables)
            m.cache_clear()
    monkeypatch.setattr(lexicon, "MEMO_MAX", 50)
    lex = resources.lexicon("en")
    for memo in (lex._freqs, lex._zipfs, lex._derived):
        memo.clear()
    cold = clean_file_task(bundle, lenin)
    assert max(len(lex._freqs), len(lex._zipfs), len(lex._derived)) <= 50
    assert cold == warm
    assert cold[0] and cold[1].count(b"\n") > 10  # a real cleaning: text and changes (their log, as bytes)


def _forked_with(bundle, task):
    """(what the worker held before this task: the bundle's resources, the word lists loaded;
    the task's outputs), in a worker of a recycled pool."""
    from pipeline.commands import execute
    from pipeline.lexicon import _shared
    held = ((bundle.digest, True) in execute._RESOURCES, _shared.cache_info().currsize)
    return held, clean_file_task(bundle, task)


def test_recycled_workers_are_forked_warm_and_clean_as_this_process(resources):
    """A long stream's workers (recycled after RECYCLE tasks) are forked from a server that has
    cleaned the start of the first task of each language: every worker, the replacements
    included, starts with the project's resources and both word lists loaded, and cleans each
    file exactly as this process does."""
    from multiprocessing import forkserver

    from pipeline.commands.execute import Processes
    forkserver._forkserver._stop()  # a server left by another test (Dask's) would not be warmed for these tasks
    bundle = bundle_of(resources)
    tasks = [_task("lenin-trade-unions.txt", 8_000), _task("kollontai-ru.txt", 8_000, "ru"),
             _task("allen-documents.txt", 8_000), _task("kollontai-en-iww.txt", 8_000)]
    with Processes(2, recycle=1) as ex:  # a new worker for every task
        got = dict(ex.map(_forked_with, bundle, tasks))
    assert [got[t.key][0] for t in tasks] == [(True, 2)] * len(tasks)
    for t in tasks:
        assert got[t.key][1] == clean_file_task(bundle, t)
    assert got["kollontai-ru"][1][1].count(b"\n") > 1  # real cleanings: changes made
