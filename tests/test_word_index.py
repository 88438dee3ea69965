"""The speed-ups of detection give exactly the answers of the plain lookups they replace,
on real OCR readings (the ICDAR 2017 English dev set)."""
from __future__ import annotations

import math
import pickle
import random

import pytest
import regex
from rapidfuzz import fuzz

from pipeline.authority import skeleton
from pipeline.correct.candidates import (_edit1, _lexical, _lost_live, _realword_live, _realword_table, _variants, index_min_zipf,
                                        own_words, rarer_than, realword_variants, word_index)
from pipeline.correct.model import MAX_SEG
from pipeline.correct.model import shared as ocr_model
from pipeline.lexicon import shared as lexicon
from pipeline.stages.detect import _near_name
from tests.conftest import SHARED

ICDAR = SHARED / "benchmarks" / "icdar2017_en" / "ocr"


def _readings(n: int) -> list[str]:
    """Words of real OCR, damaged and not, in their order of first use (a fixed sample)."""
    if not ICDAR.is_dir():
        pytest.skip(f"{ICDAR} not found")
    seen: dict[str, None] = {}
    for path in sorted(ICDAR.glob("*.txt"))[:12]:
        for w in regex.findall(r"[\p{L}\d]+(?:['’]\p{L}+)*", path.read_text(encoding="utf-8")):
            seen.setdefault(w, None)
    words = list(seen)
    return random.Random(7).sample(words, min(n, len(words)))


def _edit1_by_lookup(low: str, lex) -> tuple[str, ...]:
    """The one-edit candidates as they were found before the word index: every edit along the
    index's prefixes, looked up in the lexicon."""
    pre = word_index(lex).prefixes
    floor = 10 ** (index_min_zipf(lex) - 9.0)
    out = set()
    for i in range(len(low) + 1):
        head, tail = low[:i], low[i:]
        follow = pre.get(head)
        if follow is None:
            break
        rest = tail[1:]
        edits = [head + c + tail for c in follow]
        if tail:
            edits.append(head + rest)
            edits += [head + c + rest for c in follow]
            if rest:
                edits.append(head + rest[0] + tail[0] + rest[1:])
        for w in edits:
            f = lex._freq.get(w)
            if f is not None and f >= floor:
                out.add(w)
    out.discard(low)
    return tuple(sorted(w for w in out if w.isalpha()))


def test_word_index_holds_the_lexicons_common_words_and_their_prefixes_and_suffixes():
    lex = lexicon("en")
    index = word_index(lex)
    assert all(w in index.words for w in ("the", "world", "apportion")) and "commisnr" not in index.words
    assert "r" in index.prefixes["wo"] and "o" in index.suffixes["rld"] and "commisnr" not in index.suffixes
    assert all(w.isalpha() and lex.at_least(w, index_min_zipf(lex)) for w in list(index.words)[::97])


def test_one_edit_candidates_are_those_of_the_lexicon_lookup_on_real_readings():
    lex = lexicon("en")
    readings = [w.lower() for w in _readings(1500) if len(w) >= 3]
    differ = [r for r in readings if _edit1(r, lex) != _edit1_by_lookup(r, lex)]
    assert not differ, differ[:5]
    assert "world" in _edit1("wrld", lex) and "that" in _edit1("tbat", lex)


def test_a_word_the_index_lacks_is_rarer_than_its_floor_for_every_entry_of_the_lexicon():
    """rarer_than answers without the lexicon only where the lexicon would say the same: an
    alphabetic word missing from the index is below the floor both as a frequency and as a
    Zipf value (what `at_least` and `zipf` compare)."""
    lex = lexicon("en")
    words, floor_z = word_index(lex).words, index_min_zipf(lex)
    floor = 10 ** (floor_z - 9.0)
    for w, f in lex._freq.items():
        if w.isalpha() and w not in words:
            assert f < floor and math.log10(f) + 9.0 < floor_z, w
    rarer = rarer_than(lex, floor_z)
    assert rarer("commisnr") and not rarer("world") and not rarer("don't")  # not alphabetic: ask the lexicon
    assert not rarer_than(lex, floor_z - 0.5)("commisnr")  # below the index's floor the index cannot tell


def test_real_word_variants_pruned_by_suffixes_are_the_unpruned_ones_that_are_index_words():
    lex, model = lexicon("en"), ocr_model()
    index = word_index(lex)
    for r in {w.lower() for w in _readings(1500) if w.isalpha()}:
        plain = [(v, c) for v, c in model.variants(r, max_cost=4.0, depth=1, prefixes=index.prefixes)
                 if v.lower() in index.words]
        pruned = [(v, c) for v, c in model.variants(r, max_cost=4.0, depth=1, prefixes=index.prefixes,
                                                       suffixes=index.suffixes) if v.lower() in index.words]
        assert plain == pruned, r


def _alignment(model, printed: str, meant: str) -> float:
    """The channel's alignment written plainly: every pair of letter groups looked up in the table."""
    n, m = len(meant), len(printed)
    d = [[math.inf] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            cur = d[i][j]
            if cur == math.inf:
                continue
            if i < n and j < m and meant[i] == printed[j]:
                d[i + 1][j + 1] = min(d[i + 1][j + 1], cur)
            for a in range(MAX_SEG + 1):
                for b in range(MAX_SEG + 1):
                    if (a == 0 and b == 0) or i + a > n or j + b > m:
                        continue
                    key = (meant[i:i + a], printed[j:j + b])
                    k = model.cost.get(key)
                    if k is None:
                        if a > 1 or b > 1:
                            continue
                        k = 1.5 if a == b == 1 and key[0].lower() == key[1].lower() else model.unseen
                    d[i + a][j + b] = min(d[i + a][j + b], cur + k)
    return d[n][m]


def test_the_real_word_table_on_disk_gives_the_computed_answers(tmp_path, monkeypatch):
    """The real-word confusions read from the table built once are those computed word by word,
    for real OCR readings and for a table built afresh from a sample of index words."""
    lex, model = lexicon("en"), ocr_model()
    index = word_index(lex).words
    words = [w for w in dict.fromkeys(r.lower() for r in _readings(4000)) if w in index]
    table = _realword_table(lex, model, 3.0, 4.0)
    assert table is not None and len(words) > 500
    differ = [w for w in words if table.get(w) != _realword_live(w, lex, model, 3.0, 4.0)]
    assert not differ, differ[:5]
    # ... and a lost letter's words ("th": "the"), from their own table
    lost = _realword_table(lex, model, 3.0, 4.0, _lost_live)
    assert lost is not None and not [w for w in words if lost.get(w) != _lost_live(w, lex, model, 3.0, 4.0)]
    assert sum(bool(table.get(w)) for w in words) > len(words) / 5  # not an empty table
    assert "file" in [v for v, _, _ in realword_variants("tile", lex, model, 3.0, 4.0)]
    # a word the index lacks ("tbe") is computed, not read
    assert realword_variants("tbe", lex, model, 3.0, 4.0) == _realword_live("tbe", lex, model, 3.0, 4.0)
    # a fresh build (a small index: the build of the whole one is the first run's) writes what it read
    from pipeline.correct import candidates
    sample = frozenset(sorted(index)[::300] + ["tile"])
    monkeypatch.setenv("EDITION_CACHE", str(tmp_path))
    monkeypatch.setattr(candidates, "word_index", lambda _lex: word_index(lex)._replace(words=sample))
    _realword_table.cache_clear()
    try:
        fresh = _realword_table(lex, model, 3.0, 4.0)
        assert fresh is not None and any(tmp_path.iterdir())
        assert all(fresh.get(w) == _realword_live(w, lex, model, 3.0, 4.0) for w in sample)
    finally:
        _realword_table.cache_clear()


def test_two_processes_wanting_the_same_missing_table_build_it_once(tmp_path, monkeypatch):
    """The first run's two processes (forked before either had the lost-letter table) both find a table
    missing: one builds it (store.building's lock), the other waits and opens what it built."""
    import multiprocessing
    import time

    from pipeline.correct import candidates
    lex, model = lexicon("en"), ocr_model()
    sample = frozenset(sorted(word_index(lex).words)[::500] + ["th"])
    monkeypatch.setenv("EDITION_CACHE", str(tmp_path))
    monkeypatch.setattr(candidates, "word_index", lambda _lex: word_index(lex)._replace(words=sample))
    fork = multiprocessing.get_context("fork")
    builds, ready = fork.Value("i", 0), fork.Barrier(2)

    def slow_lost(w, *args):  # a build that takes a while: the other process asks meanwhile
        if w == min(sample):
            with builds.get_lock():
                builds.value += 1
            time.sleep(0.3)
        return _lost_live(w, *args)

    def build() -> None:
        _realword_table.cache_clear()
        ready.wait()
        table = _realword_table(lex, model, 3.0, 4.0, slow_lost)
        assert table is not None and table.get("th") == _lost_live("th", lex, model, 3.0, 4.0)

    other = fork.Process(target=build)
    other.start()
    try:
        build()
    finally:
        other.join(10)
        _realword_table.cache_clear()
    assert other.exitcode == 0 and builds.value == 1


def test_a_readings_compact_variants_are_the_models(tmp_path):
    """_lexical keeps a reading's model variants as one string and an array: the same words,
    costs (to the bit) and lexicon verdicts in the same order."""
    lex, model = lexicon("en"), ocr_model()
    for r in _readings(300):
        found = _variants(r, lex, model, 4.0)
        got = list(_lexical(r, lex, model, 2.0, 4.0).each_variant())
        assert [(v, c) for v, c, _ in got] == list(found)
        assert all(bool(k) == lex.at_least(v, 2.0) for v, _, k in got)


def test_channel_alignment_equals_the_plain_one_on_real_readings():
    from pipeline.correct.model import _channel
    model = ocr_model()
    readings = _readings(400)
    rnd = random.Random(3)
    pairs = [(r, rnd.choice(readings).lower()) for r in readings]
    pairs += [("Govemmcnt", "government"), ("rnodern", "modern"), ("tbe", "the"), ("A11", "all")]
    for printed, meant in pairs:
        assert _channel(model, printed, meant) == _alignment(model, printed, meant), (printed, meant)


def test_channel_within_a_limit_is_the_channel_up_to_it():
    """model.channel(printed, meant, limit): the very figure of the unbounded channel where it is at most
    the limit, a figure above the limit elsewhere (the alignment searches no costlier way)."""
    model = ocr_model()
    readings = _readings(400)
    rnd = random.Random(5)
    pairs = [(r, rnd.choice(readings).lower()) for r in readings]
    pairs += [(r, r.lower()[:-1] + "e") for r in readings if len(r) > 3]  # near pairs: most within the limit
    pairs += [("Govemmcnt", "government"), ("rnodern", "modern"), ("tbe", "the"), ("A11", "all")]
    within = 0
    for printed, meant in pairs:
        full = model.channel(printed, meant)
        for limit in (2.0, 4.0, 7.0):
            bounded = model.channel(printed, meant, limit)
            if full <= limit:
                within += 1
                assert bounded == full, (printed, meant, limit)
            else:
                assert bounded > limit, (printed, meant, limit, bounded)
    assert within > 300


def test_near_name_takes_the_closest_name_and_the_first_of_equals():
    index = [(skeleton("Zinoviev"), "Zinoviev", "first"), (skeleton("Zinovief"), "Zinoviev", "second"),
             (skeleton("Zinoviev"), "Zinoviev", "third"), (skeleton("Shlyapnikov"), "Shlyapnikov", "s")]
    assert _near_name("Zinoviev", index) == ("Zinoviev", "first")  # "third" is as close: the first wins
    assert _near_name("Tomsky", index) is None

    def plain(w):
        sk, best = skeleton(w), None
        for s, canon, how in index:
            if abs(len(s) - len(sk)) <= 3 and len(sk) >= 4:
                r = fuzz.ratio(sk, s)
                if r >= 80 and (best is None or r > best[0]):
                    best = (r, canon, how)
        return (best[1], best[2]) if best else None

    for w in ["Zinovieff", "Zinovyev", "Zinovev", "Shlyapnikoff", "Shliapnikov", "Zenoviev", "Sinoviev", "Shlyap"]:
        assert _near_name(w, index) == plain(w), w


def test_a_witness_s_own_words_are_bounded_to_its_commonest_in_its_own_order():
    """A long noisy witness repeats its garbles, which join its own words; every unknown reading
    is compared with each own word of its letter, so the list is bounded (detect stays linear)."""
    lex = lexicon("en")
    rng = random.Random(5)
    # made-up forms the lexicon lacks, each used 3-50 times, and common words that never count
    vocab = {f"zq{''.join(rng.choice('bcdfgkx') for _ in range(5))}": rng.randint(3, 50) for _ in range(1500)}
    vocab.update({"the": 900, "which": 300})
    own = own_words(vocab, lex, 2.0, 3, most=1000)
    kept = [w for ws in own.values() for w in ws]
    assert len(kept) == 1000 and "the" not in kept
    floor = min(vocab[w] for w in kept)
    assert all(vocab[w] <= floor for w in vocab if w not in kept and w not in ("the", "which"))
    assert kept == [w for w in vocab if w in set(kept)]  # the witness's order (candidate ties stay put)
    assert set(own) == {"z"}
    small = own_words({k: vocab[k] for k in list(vocab)[:20]}, lex, 2.0, 3, most=1000)
    assert sum(map(len, small.values())) == 20  # under the bound nothing is dropped


def test_the_word_index_dawgs_answer_as_its_tables_on_real_heads_and_tails():
    """The prefixes' and suffixes' DAWGs (C lookups) give each key's letters as the memory-mapped
    tables do: the heads and tails of real readings (most in neither), "" and keys a DAWG cannot
    read (a NUL, a lone surrogate)."""
    index = word_index(lexicon("en"))
    for side in (index.prefixes, index.suffixes):
        assert "get" in vars(side)  # the DAWG answers (the cache holds one)
        keys = {"", "the\x00x", "\x00", "t\udcffe", "wo", "rld", "ing", "commisnr"}
        for r in _readings(400):
            low = r.lower()
            keys.update(low[:i] for i in range(len(low) + 1))
            keys.update(low[i:] for i in range(len(low) + 1))
        for k in keys:
            i = side.table.get(k)
            assert side.get(k) == (None if i is None else side.sets[int(i)]), k
            assert (k in side) == (i is not None)
        shipped = pickle.loads(pickle.dumps(side))  # to a worker: the table alone, the same answers
        assert all(shipped.get(k) == side.get(k) for k in keys)


def test_a_table_with_its_dawg_answers_as_the_table(tmp_path):
    """store.fast_table: the same value (to the bit) for every key, None for the others, "" and keys
    a DAWG cannot read (a NUL, a lone surrogate) answered by the table; the DAWG built once beside it."""
    import struct

    from pipeline.store import FastTable, Table, fast_table, write_table
    words = [w for w in _readings(600) if w.isalpha()]
    rnd = random.Random(11)
    data = {w.lower(): rnd.choice([1e-3, 2.5e-7, 0.1 + 0.2, 7.0, 3.3e-9]) for w in words}
    data[""] = 0.5
    write_table(tmp_path / "t.tab", data)
    table = Table(tmp_path / "t.tab")
    fast = fast_table(table)
    asked = list(data) + [w + "zq" for w in data] + ["the\x00x", "\x00", "t\udcffe", "zz" * 40]
    for k in asked:
        got, want = fast.get(k), table.get(k)
        assert (got is None) == (want is None) and (got is None or struct.pack("<d", got) == struct.pack("<d", want)), k
    assert {p.name for p in tmp_path.iterdir()} == {"t.tab", "t.tab.dawg1", "t.tab.dawg1.values"}
    again = fast_table(Table(tmp_path / "t.tab"))  # read back, not built
    assert isinstance(again, FastTable) and all(again.get(k) == table.get(k) for k in asked)
    assert len(fast) == len(table) and dict(fast.items()) == dict(table.items())
    assert fast_table(data) is data  # a dict (no cache) is asked as it is


def test_far_takes_its_first_confusions_from_its_own_search():
    """_far's steps (the readings one cheap confusion away that an edit goes on from) collected
    from its two-confusion search are those of the one-confusion search it made before."""
    from pipeline.correct.candidates import FAR_COST, FAR_PER_GROUP, FAR_SECOND
    lex, model = lexicon("en"), ocr_model()
    index = word_index(lex)
    for r in [w for w in _readings(500) if len(w) >= 4 and w.isalpha()][:150] + ["Pieasury", "henriug"]:
        first: set[str] = set()
        list(model.variants(r, max_cost=FAR_COST, depth=2, per_group=FAR_PER_GROUP, second=FAR_SECOND,
                            prefixes=index.prefixes, suffixes=index.suffixes, steps=first))
        alone = {v for v, _ in model.variants(r, max_cost=FAR_SECOND, depth=1, per_group=FAR_PER_GROUP,
                                               prefixes=index.prefixes)}
        assert first == alone, r


def test_variants_skip_only_places_no_confusion_within_the_budget_can_be(monkeypatch):
    """model.variants makes nothing, and asks no prefix, at a place whose letter begins no printed group
    cheap enough for what the reading has left to pay (OcrModel._cheapest): the same readings and costs, in
    the same order, as trying every place."""
    from pipeline.correct.model import OcrModel
    model = ocr_model()
    index = word_index(lexicon("en"))
    calls = [dict(max_cost=4.0, prefixes=index.prefixes),
             dict(max_cost=7.0, depth=2, per_group=8, second=3.0, prefixes=index.prefixes, suffixes=index.suffixes),
             dict(max_cost=4.0, depth=1, prefixes=index.prefixes, suffixes=index.suffixes, lower=True)]
    readings = [w for w in _readings(300)][:120] + ["Govemmcnt", "rnodern", "tbe", "A11", "shaU", "Pieasury"]
    pruned = [[list(model.variants(r, **kw)) for r in readings] for kw in calls]
    free = type("Free", (dict,), {"get": lambda self, k, d=None: 0.0})()  # every place affordable
    monkeypatch.setattr(OcrModel, "_cheapest", lambda self, per_group, lower=False: free)
    assert pruned == [[list(model.variants(r, **kw)) for r in readings] for kw in calls]


def test_variants_skip_only_slices_no_printed_group_can_be(monkeypatch):
    """model.variants makes no slice longer than the longest printed group its first letter begins
    (OcrModel._longest): the same readings and costs, in the same order, as trying every length."""
    from pipeline.correct.model import OcrModel
    model = ocr_model()
    index = word_index(lexicon("en"))
    calls = [dict(max_cost=4.0, prefixes=index.prefixes),
             dict(max_cost=7.0, depth=2, per_group=8, second=3.0, prefixes=index.prefixes, suffixes=index.suffixes),
             dict(max_cost=4.0, depth=1, prefixes=index.prefixes, suffixes=index.suffixes, lower=True)]
    readings = [w for w in _readings(300)][:120] + ["Govemmcnt", "rnodern", "tbe", "A11", "shaU"]
    pruned = [[list(model.variants(r, **kw)) for r in readings] for kw in calls]
    every = type("Every", (dict,), {"get": lambda self, k, d=None: MAX_SEG})()
    monkeypatch.setattr(OcrModel, "_longest", lambda self, per_group, lower=False: every)
    assert pruned == [[list(model.variants(r, **kw)) for r in readings] for kw in calls]
