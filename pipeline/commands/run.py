"""`edition run` and `edition clean`: read raw input, run the stages, write outputs.

`edition run` is incremental: a witness is re-cleaned only when something it depends on
changed, a work re-collated only when one of its witnesses' clean texts changed, and a run
whose inputs and outputs are all as the last run left them does nothing (pipeline.cache,
`.edition-cache/`); `--force` recomputes everything. Heavy modules are imported only when
there is work to do, so a run with nothing to do starts and ends in a blink.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from pipeline.errors import EditionError, one_line


def _err():
    from rich.console import Console
    return Console(stderr=True)


class _NoProgress:
    """What progress_bar gives off a terminal (rich is not even imported)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def add_task(self, *args, **kwargs) -> int:
        return 0

    def advance(self, *args, **kwargs) -> None:
        pass


def progress_bar(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return _NoProgress()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    err = _err()
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal, transient=True)


def run_key(root: Path, only: list[str] | None, collate: bool) -> str:
    """Hash of everything `edition run` reads: raw/, config/, rules/, review/, the code and the
    libraries, the arguments, and which files lie in the output folders (the index lists them)."""
    from pipeline.cache import code_version, digest, tree_digest
    listing = []
    for sub in ("clean", "reports", "reports/collation"):
        d = root / sub
        if d.is_dir():
            listing += sorted(f"{sub}/{p.name}" for p in d.iterdir() if p.is_file() and not p.name.startswith("."))
    data = "" if (root / "config" / "pipeline.toml").exists() else tree_digest(Path(__file__).resolve().parents[2],
                                                                              "config", "rules")
    return digest(code_version(), tree_digest(root, "raw", "config", "rules", "review"), data,
                  json.dumps([only, collate]), *listing)


def build_edition(root: Path, only: list[str] | None = None, collate: bool = True, quiet: bool = True,
                  jobs: int = 1, force: bool = False, scheduler: str | None = None, res=None, meanwhile=None):
    """Everything `edition run` does: clean, write clean/ and reports/ (all or nothing),
    collate; returns the cleaned witnesses and the files written. Results whose inputs did not
    change come from the run cache (unless `force`). `res`: the project's Resources, if the
    caller has them loaded already. `meanwhile()`: the caller's own work, done once the
    witnesses are clean, while a worker collates (off the run's critical path)."""
    from pipeline.cache import RunCache
    from pipeline.config import check_project
    from pipeline.context import Resources
    from pipeline.outputs import Staging, refuse_inputs, write_files
    from pipeline.report import Ahead, build_reports
    from pipeline.report.files import read_manifest, witness_files, witness_manifest
    from pipeline.witnesses import load_corpus

    corpus = load_corpus(root / "raw")
    res = res if res is not None else Resources(root)
    check_project(res, corpus)  # configuration, policy and rule scopes, before any work
    ids = only or [w.id for w in corpus.witnesses]
    for wid in ids:
        corpus.get(wid)  # unknown ids fail before any work
    warn_unknown_reviews(root, corpus)
    cache = RunCache(root)
    texts: dict[str, str] = {}
    collated: dict = {}
    waiting = {wk.id: {m.id for m in corpus.members(wk.id)} & set(ids) for wk in corpus.works
               if len(corpus.members(wk.id)) >= 2} if collate else {}
    workers = _Workers()  # the processes clean_cached starts, kept to collate while this one writes
    pruning = None  # the run cache's prune (a Future), in a thread while the outputs are written
    staging = None  # the outputs written while a worker collates, if any (pipeline.outputs.Staging)
    away: dict[str, tuple] = {}  # work id -> (its key, the future of its collation in a worker)
    reports_ahead: dict[str, object] = {}  # work id -> the future of its worker's reports (pages_task), if asked

    def send(work_id: str, key: str | None) -> None:
        """The work's collation to the worker; with one worker (its queue is in order), its reports
        too, made there as soon as the collation is, while this process makes the others."""
        work, members = corpus.work(work_id), corpus.members(work_id)
        # the anchors of the pivot's paragraphs, found here (this process has time to spare while the
        # worker collates; the pivot's are what the collation finds first)
        from pipeline.collate import anchors_of
        pivot = corpus.get(work.pivot)
        found = anchors_of(texts[pivot.id], pivot.language, res) if pivot.id in texts else {}
        away[work_id] = (key, workers.pool.submit(collation_task, str(root), corpus.root, members, work,
                                                  {m.id: texts[m.id] for m in members if m.id in texts}, found))
        reports_ahead[work_id] = workers.pool.submit(pages_task, str(root), work_id) if workers.single else None

    def collate_work(work_id: str) -> None:
        work, members = corpus.work(work_id), corpus.members(work_id)
        if any(m.id not in texts for m in members if m.id in ids):
            # the one worker cleans the rest of the work's witnesses, then collates it (its queue is in
            # order): it reads their texts itself; the key is made when this process has them too
            send(work_id, None)
            return
        key = work_key(root, res, work, members, texts)
        found = None if force else cache.get("work", key)
        if found is None and workers.pool is not None:  # a worker collates it; this process goes on
            send(work_id, key)
            return
        if found is None:
            found = collate_task(str(root), corpus.root, members, work, texts, res)
            cache.put("work", key, found)
        collated[work_id] = found

    announced: dict[str, str] = {}  # witness id -> its clean text, told before its cleaning ended

    def text_ready(wid: str, text: str) -> None:
        """Collate a work as soon as its witnesses' clean texts are known (while the workers clean
        the rest, and this process asks the last questions of its own witness), or as soon as
        the rest are the one worker's to clean."""
        texts[wid] = text
        for work_id, left in waiting.items():
            if wid in left:
                left.discard(wid)
                if not left or (workers.single and left <= workers.cleaning):
                    left.clear()
                    collate_work(work_id)

    def told(wid: str, text: str) -> None:
        announced[wid] = text
        text_ready(wid, text)

    def collate_ready(wid: str, c) -> None:
        if wid in announced and announced.pop(wid) != c.text:
            # a stage that only asks changed the text after all: the collation made with the text
            # told is dropped, the work waits again for what it lacks
            for work_id, left in waiting.items():
                if wid in {m.id for m in corpus.members(work_id)} and (work_id in away or work_id in collated):
                    away.pop(work_id, None)
                    stale = reports_ahead.pop(work_id, None)
                    if stale is not None:  # its reports too, if the worker has not taken them yet
                        stale.cancel()
                    collated.pop(work_id, None)
                    left.update(m.id for m in corpus.members(work_id) if m.id in ids and m.id not in texts)
                    left.add(wid)
        if wid not in texts or texts[wid] != c.text:
            text_ready(wid, c.text)

    try:
        # the witnesses a worker cleaning them may work ahead on: those collated with a pivot
        ahead = frozenset(m for work_id, left in waiting.items() for m in left if m != corpus.work(work_id).pivot)
        cleaned = clean_cached(root, corpus, ids, res, cache, force, quiet, jobs, scheduler, on_result=collate_ready,
                               workers=workers, ahead=ahead, on_text=told)
        for work_id in waiting:  # with --only: works none of whose witnesses were cleaned (read from clean/)
            if work_id not in collated and work_id not in away:
                collate_work(work_id)
        files = witness_files(root, cleaned)
        earlier = read_manifest(root / "reports" / "witnesses.json") if only else {}
        files[root / "reports" / "witnesses.json"] = witness_manifest([w.id for w in corpus.witnesses], cleaned,
                                                                      earlier)
        # while the workers collate: what the reports import, the caller's work, then the outputs
        # that do not depend on the collation
        from pipeline.collate.segment import sentences
        from pipeline.report.html import render_index  # noqa: F401 (jinja2, for build_reports below)
        if meanwhile is not None:
            meanwhile()

        def busy() -> bool:  # a worker still collates
            return not all(f.done() for _, f in away.values())
        early = None
        if away:  # what does not read the collations, while a worker collates: the witnesses' outputs staged
            # (written and fsync'd: pipeline.outputs.Staging), then what the reports need of them
            if busy():
                refuse_inputs(files, [corpus.path(w) for w in corpus.witnesses], [root / "raw"])
                staging = Staging(root)
                staging.stage(files, busy)
            early = Ahead(root, corpus, cleaned, files)
            early.make_pages(busy)
        pending: list[tuple] = []  # (work id, its key, its reports made here, _WorkerReports) of worker collations
        for work in corpus.works:  # in catalogue order
            if work.id in away:
                key, future = away.pop(work.id)
                found = None
                if key is None:  # sent before this process had every text: the cache may have it after all
                    key = work_key(root, res, work, corpus.members(work.id), texts)
                    found = None if force else cache.get("work", key)
                pages = reports_ahead.pop(work.id, None)
                if found is None:
                    if future.cancel():  # not started: here
                        if pages is not None:
                            pages.cancel()
                        found = collate_task(str(root), corpus.root, corpus.members(work.id), work, texts, res)
                        cache.put("work", key, found)
                    else:
                        theirs = _WorkerReports(future.result(), root, workers.pool, pages)
                        mine = theirs.mine()
                        pending.append((work.id, key, mine, theirs))  # stored once the worker's are in (below)
                        # every report's path now (the index lists them), the worker's content once made
                        found = {rel: mine.get(rel, "") for rel in theirs.paths()}
                collated[work.id] = found
            for rel, content in collated.get(work.id, {}).items():
                files[root / rel] = content
        reports = None
        if pending:  # while the worker makes its reports of the collations: the witnesses' pages here
            reports = build_reports(root, corpus, cleaned, files, split=sentences, stream=True, ahead=early)
            _materialise(reports, lambda: not all(t.done() for *_, t in pending))
            for work_id, key, mine, theirs in pending:
                collated[work_id] = found = theirs.merged(mine)
                cache.put("work", key, found)
                for rel, content in found.items():
                    files[root / rel] = content
        files.update(reports if reports is not None else build_reports(root, corpus, cleaned, files,
                                                                       split=sentences, stream=True, ahead=early))
        refuse_inputs(files, [corpus.path(w) for w in corpus.witnesses], [root / "raw"])
        if workers.pool is not None and not away and all(f.done() for f in reports_ahead.values() if f is not None):
            workers.ending = _let_go(workers.pool)  # every result is in: the workers end while this process writes
        if not only and (workers.pool is None or workers.ending):
            # every result is stored and no process reads the caches any more: the run cache is pruned
            # while the outputs are written (apart from them; each waits for the disk more than the processor)
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="edition-prune")
            pruning = pool.submit(cache.prune, witnesses={w.id for w in corpus.witnesses})
            pool.shutdown(wait=False)  # (the prune given still runs; nothing more is)
        if staging is not None:
            staging.commit(files)
        else:
            write_files(files)
    finally:
        if staging is not None:
            staging.abort()  # after a failure: the staged files removed (after the commit: nothing to do)
        if workers.pool is not None:
            _close(workers.pool, {**{k: f for k, (_, f) in away.items()},
                                  **{f"{k} reports": f for k, f in reports_ahead.items() if f is not None}})
            for proc in workers.ending:  # told to end before the writes: waited for (their CPU is the run's)
                proc.join()
        if pruning is not None:
            wait([pruning])  # (also after a failure: the prune is never left half done)
    if pruning is not None:
        pruning.result()
    elif not only:
        cache.prune(witnesses={w.id for w in corpus.witnesses})
    return cleaned, files


class _Workers:
    """The worker processes of a run (clean_cached starts them; build_edition closes them)."""

    pool = None
    single = False  # one worker: it runs what it is given in order
    cleaning: frozenset[str] = frozenset()  # the witnesses the workers clean
    ending: tuple = ()  # the worker processes told to end (_let_go), to wait for


def collate_task(root: str, raw: Path, members: list, work, texts: dict[str, str], res) -> dict[str, str]:
    """The collation files of one work, {path under the project: content}, made in this process
    (a worker's collation is collation_task, its reports _reports)."""
    from pipeline.collate import collate_corpus
    from pipeline.witnesses import Corpus
    made = collate_corpus(Path(root), Corpus(raw, members, [work]), res, texts)
    return {p.relative_to(root).as_posix(): content for p, content in made.items()}


def collation_task(root: str, raw: Path, members: list, work, texts: dict[str, str], found: dict | None = None) -> list:
    """In a worker forked by clean_cached: the work's collation (pipeline.collate.collations),
    its reports not made yet; the texts of the witnesses this worker cleaned are its own, `found`
    the anchors the run's process found in the pivot (pipeline.collate.anchors_of). The collation
    stays here for pages_task."""
    from pipeline.collate import collations, take_anchors
    from pipeline.witnesses import Corpus
    texts = {**{m.id: _MADE[m.id] for m in members if m.id in _MADE}, **texts}
    take_anchors(found or {}, _FORKED_RES)
    _COLLATED[work.id] = made = collations(Path(root), Corpus(raw, members, [work]), _FORKED_RES, texts)
    return made


def pages_task(root: str, work_id: str) -> list[dict] | None:
    """In the worker that just made a work's collation (collation_task, queued before this): its
    reports that a worker makes (IN_WORKER), one dict per collation; None if another process made it."""
    cols = _COLLATED.pop(work_id, None)
    if cols is None:
        return None
    return [worker_reports(col, Path(root) / "reports" / "collation") for col in cols]


IN_WORKER = ("tei.xml", "html", "coverage.json")  # a collation's reports a worker makes (the HTML reads the coverage)


def worker_reports(col, folder: Path) -> dict:
    """A collation's reports that a worker makes (IN_WORKER: pipeline.collate.writers): in a worker,
    or here when another process made the collation."""
    from pipeline.collate.writers import report_files
    return report_files(col, folder, IN_WORKER)


class _WorkerReports:
    """The reports of collations made in a worker, as collate_task gives them: alignment.json
    made here (the witnesses' pages read it), the others (IN_WORKER) in the worker meanwhile.
    `ahead`: the future of the worker's pages_task (asked with the collation), else they are
    asked now, one worker_reports per collation."""

    def __init__(self, cols: list, root: Path, pool, ahead=None):
        self.cols, self.root, self.folder = cols, root, root / "reports" / "collation"
        self.ahead = ahead
        self.pages = [pool.submit(worker_reports, col, self.folder) for col in cols] if ahead is None else None

    def mine(self) -> dict[str, str]:
        """The reports made here, {path under the project: content}."""
        from pipeline.collate.writers import REPORTS, report_files
        made = [report_files(col, self.folder, tuple(r for r in REPORTS if r not in IN_WORKER)) for col in self.cols]
        return {self._rel(p): c for m in made for p, c in m.items()}

    def paths(self) -> list[str]:
        """Every report's path under the project, each collation's in the order of REPORTS."""
        from pipeline.collate.writers import REPORTS
        return [self._rel(self.folder / f"{col.work}.{name}") for col in self.cols for name in REPORTS]

    def done(self) -> bool:
        return self.ahead.done() if self.pages is None else all(p.done() for p in self.pages)

    def merged(self, mine: dict[str, str]) -> dict[str, str]:
        """Every report of the collations, each collation's in the order of REPORTS."""
        if self.pages is None:  # None from pages_task: another worker collated it, its reports are made here
            pages = self.ahead.result() or [worker_reports(col, self.folder) for col in self.cols]
        else:
            pages = [page.result() for page in self.pages]
        theirs = {self._rel(p): c for page in pages for p, c in page.items()}
        return {rel: mine[rel] if rel in mine else theirs[rel] for rel in self.paths()}

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def _materialise(files: dict, busy) -> None:
    """Make the text of the outputs written as they are written (pipeline.outputs: a writer),
    one after another while `busy()` (the workers collate): this process has nothing else to do
    meanwhile. The bytes written are the same; memory holds them only for that time."""
    from pipeline.outputs import content_text
    for path, content in files.items():
        if not busy():
            return
        if callable(content):
            files[path] = content_text(content)


def witness_key(root: Path, res, corpus, wid: str) -> str:
    """What a witness's cleaning depends on (pipeline.cache explains each part)."""
    from pipeline.cache import code_version, digest, file_digest, tree_digest
    w = corpus.get(wid)
    # itself, and the Russian witnesses of its work (detect matches names against the original's:
    # pipeline.context.Resources.original_names)
    members = [m for m in corpus.witnesses if m.id == wid or (m.work == w.work and m.language == "ru")]
    shared = res.__dict__.get("_run_shared_key")
    if shared is None:
        shared = res.__dict__["_run_shared_key"] = digest(code_version(), tree_digest(res.data_root, "config", "rules"))
    return digest(shared, w.model_dump_json(), file_digest(root / "review" / f"{wid}.toml"),
                  *(x for m in members for x in (m.model_dump_json(), file_digest(corpus.path(m)))))


def work_key(root: Path, res, work, members, texts: dict[str, str]) -> str:
    """What a work's collation depends on: its witnesses' clean texts and entries, config, rules, code."""
    from pipeline.cache import digest, file_digest
    parts = [res.__dict__.get("_run_shared_key") or "", work.model_dump_json()]
    for m in members:
        text = texts.get(m.id)
        parts += [m.model_dump_json(), digest(text) if text is not None else file_digest(root / "clean" / f"{m.id}.txt")]
    return digest(*parts)


def clean_cached(root: Path, corpus, ids: list[str], res, cache, force: bool, quiet: bool, jobs: int,
                 scheduler: str | None, on_result=None, workers: _Workers | None = None,
                 ahead: frozenset[str] = frozenset(), on_text=None) -> dict:
    """The cleaned witnesses: from the cache where nothing they depend on changed, the rest
    cleaned (in this process, N processes or on a Dask cluster) and stored as each finishes,
    so a run killed midway keeps what it finished. Worker processes started here are handed
    to `workers` (still running, for the collations) if given, else shut down; a worker that
    cleans a witness of `ahead` then works ahead on its collation. While workers run,
    `on_text(wid, text)` is told the clean text of a witness cleaned in this process as soon as
    it is known (pipeline.run.clean_witness), before on_result has the witness."""
    from pipeline.review import to_decisions
    from pipeline.sources import read_witness
    inputs = {wid: read_witness(root, corpus, wid) for wid in ids}  # every input refused if bad, before any work
    keys = {wid: witness_key(root, res, corpus, wid) for wid in ids}
    out = {}
    for wid in ids:
        hit = None if force else cache.get("witness", keys[wid])
        if hit is not None:
            out[wid] = hit
            if on_result:
                on_result(wid, hit)
    # the longest first: the last task to start is a short one, so no worker waits long for another
    todo = sorted((wid for wid in ids if wid not in out), key=lambda wid: -len(inputs[wid][0]))
    if todo:
        from functools import partial

        from pipeline.commands.execute import Executor, WitnessTask, adopt, bundle_of, clean_witness_task, executor
        bundle = bundle_of(res, ship=bool(scheduler))
        if not scheduler:  # here and in processes forked from here: the rules and config loaded already
            adopt(bundle, res)
        tasks = {wid: WitnessTask(wid, inputs[wid][0], corpus.get(wid), to_decisions(inputs[wid][2]), inputs[wid][1])
                 for wid in todo}

        def finished(wid: str, c) -> None:
            c.review = []
            cache.put("witness", keys[wid], c)
            out[wid] = c
            if on_result:
                on_result(wid, c)

        here, there, n = _share(corpus, todo, {wid: len(inputs[wid][0]) for wid in todo}) \
            if jobs == 0 and not scheduler else (todo, [], 0)
        # the Russian analyser (pymorphy3) is loaded after the fork, by the process that cleans a Russian
        # witness: a worker cleaning a translation of a Russian original reads the original's names in the
        # nominative from the user cache (pipeline.russian.know_nominatives), its collation the name forms
        # of the authority (collate.anchors.cyrillic_forms)
        if n:  # what this process and the workers would each import after the fork, imported once before it
            import pipeline.run  # noqa: F401 (the stages' runner: clean_witness_task)
            # a worker collates: the collation's and the reports' modules (jinja2; lxml only where the TEI is written)
            if ahead & set(there):
                import pipeline.collate  # noqa: F401
                import pipeline.report.html  # noqa: F401
        pool = _fork_pool(n, res) if n else None  # forked before the progress bar's thread starts
        futures = {wid: pool.submit(clean_task, bundle, tasks[wid], wid in ahead) for wid in there} if pool else {}
        global _CLEANED_HERE
        _CLEANED_HERE = True
        try:
            with progress_bar(quiet) as progress, executor(scheduler, max(1, jobs) if len(here) > 1 else 1) as ex:
                bar = progress.add_task("cleaning", total=len(todo))
                if pool is not None and workers is not None:
                    workers.pool, workers.single, workers.cleaning = pool, n == 1, frozenset(there) & ahead
                # with workers running, what this process cleans tells its text early (they may collate it)
                task = partial(clean_witness_task, on_text=on_text) if pool is not None and on_text is not None \
                    and type(ex) is Executor else clean_witness_task
                for wid, c in ex.map(task, bundle, (tasks[wid] for wid in here)):
                    finished(wid, c)
                    progress.advance(bar)
                for wid, f in futures.items():  # in the order given: the same calls, whoever finishes first
                    finished(wid, f.result())
                    progress.advance(bar)
        except BaseException:
            if pool is not None:
                if workers is not None:
                    workers.pool = None
                _close(pool, futures)
            raise
        if pool is not None and workers is None:
            _close(pool, futures)
    for wid in ids:
        out[wid].review = inputs[wid][2]
    return {wid: out[wid] for wid in ids}


def clean_task(bundle, task, ahead: bool):
    """A witness cleaned in a worker; `ahead`: then the part of its work's collation that reads it
    alone is done (pipeline.collate.prepare), for a collation in the same worker later."""
    from pipeline.commands.execute import clean_witness_task
    c = clean_witness_task(bundle, task)
    if ahead and _FORKED_RES is not None:
        from pipeline.collate import prepare
        prepare(c.text, task.witness.language, _FORKED_RES)
        _MADE[task.key] = c.text
    return c


AUTO_MIN = 20_000  # characters for the other processes to clean: less is not worth starting one
_CLEANED_HERE = False  # has this process cleaned a witness (its word lists are loaded)?


COLLATION_SHARE = 0.5  # a work's collation costs about this share of cleaning its texts (Kollontai: 1.1 s to 2.6 s)


def _share(corpus, todo: list[str], size: dict[str, int]) -> tuple[list[str], list[str], int]:
    """`edition run` without --jobs: which witnesses this process cleans, which worker processes
    clean, and how many workers. Workers pay where the word lists, models and rules must be
    loaded anyway (a new process, two cores or more, more than one witness to clean): each
    process loads those of its own witnesses, at the same time. This process cleans the pivots of
    the works to collate (what collation reads first, in the language whose resources its
    anchors read), up to its share, then witnesses no collation reads, up to its share; the
    workers the rest, then collate (their share counts the collations). A process that has
    cleaned before has what it needs loaded: it cleans alone."""
    cores = os.cpu_count() or 1
    # Linux: a worker forked from this process starts with what it holds (elsewhere fork is
    # unsafe or missing, and a new interpreter would import and load everything again)
    if cores < 2 or len(todo) < 2 or _CLEANED_HERE or not sys.platform.startswith("linux"):
        return todo, [], 0
    works = [wk for wk in corpus.works if len(corpus.members(wk.id)) >= 2]
    pivots = {wk.pivot for wk in works}
    collated = {m.id for wk in works for m in corpus.members(wk.id)}
    workers = min(cores - 1, len(todo) - 1)
    fair = (sum(size.values()) + COLLATION_SHARE * sum(size[w] for w in todo if w in collated)) / (workers + 1)
    here: list[str] = []
    for wid in todo:  # longest first
        if wid in pivots and sum(size[x] for x in here) + size[wid] <= fair:
            here.append(wid)
    here = here or todo[:1]
    for wid in todo:
        if wid not in here and wid not in collated and sum(size[x] for x in here) + size[wid] <= fair:
            here.append(wid)
    here = [wid for wid in todo if wid in here]
    there = [wid for wid in todo if wid not in here]
    if sum(size[wid] for wid in there) < AUTO_MIN:
        return todo, [], 0
    return here, there, min(workers, len(there))


def _fork_pool(workers: int, res=None):
    """Worker processes forked from this one: they start with what it has imported and loaded
    (`res`, the run's resources, for the collations: pipeline.run.Resources is not sent, it is there)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(os.getpid(), res))


_FORKED_RES = None  # in a forked worker: the run's resources (collation_task, clean_task)
_MADE: dict[str, str] = {}  # in a forked worker: the clean texts of the witnesses it cleaned ahead
_COLLATED: dict[str, list] = {}  # in a forked worker: the collations it made, until pages_task takes them


def _start_worker(parent: int, res) -> None:
    global _FORKED_RES
    _FORKED_RES = res
    _follow_parent(parent)


def _let_go(pool) -> tuple:
    """Idle workers told to end, not waited for: they exit while this process writes the outputs
    (a worker's exit took 0.01-0.05 s of the run's end). Their processes, for the caller to wait for
    afterwards (a process reaped: its CPU time counts in the run's, as /usr/bin/time reports it)."""
    procs = tuple((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False)
    return procs


def _close(pool, futures: dict) -> None:
    """Shut the workers down; after a failure (a bad input, Ctrl-C), without waiting for the
    witnesses they are still cleaning."""
    if not all(f.done() for f in futures.values()):
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _follow_parent(parent: int) -> None:
    """A worker ends with the run: one whose run was killed outright (SIGKILL) would otherwise
    wait forever to hand over its result (Linux: the kernel's parent-death signal)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: a killed run may leave its worker behind
        pass
    if os.getppid() != parent:  # the run died before the signal was asked for
        os._exit(1)


def warn_unknown_reviews(root: Path, corpus) -> None:
    """A review file for no witness is never read: say so (a renamed witness, a typo)."""
    known = {w.id for w in corpus.witnesses}
    for p in sorted((root / "review").glob("*.toml")) if (root / "review").is_dir() else []:
        if p.stem not in known:
            print(f"edition: warning: review/{one_line(p.name)}: no witness {p.stem!r} in raw/witnesses.toml; "
                  "its decisions are not used", file=sys.stderr)


@contextlib.contextmanager
def few_collections(raw_bytes: int | None = None):
    """Python's cycle collector run less often while a run builds its tables (word lists, parses,
    change logs: millions of objects that live to the end): with the default thresholds it went
    over them a thousand times, 0.6 s of a 6 s run; at these, about 0.1 s, with the same peak memory.
    A run whose raw texts are under NO_COLLECTIONS bytes (`raw_bytes`) runs without the collector:
    the corpus's run (405 kB) left 16,000 objects in cycles (2 MB more at its peak), and its
    collections had cost 0.08 s of CPU in each of its two processes. Worker processes forked
    meanwhile inherit the setting."""
    import gc
    before, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(20_000, 50, 100)
    off = raw_bytes is not None and raw_bytes < NO_COLLECTIONS and enabled
    if off:
        gc.disable()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if off:
            # what the run made goes straight to the oldest generation: enabled again as it is, the
            # collector's next pass would walk every object made since (0.1 s at the end of the run)
            gc.freeze()
            gc.unfreeze()
            gc.enable()


NO_COLLECTIONS = 2_000_000  # raw bytes: a smaller run leaves its few cycles to the end (few_collections)


def raw_size(root: Path) -> int:
    """The bytes of the project's raw texts (raw/, without descending into folders)."""
    d = root / "raw"
    try:
        return sum(e.stat().st_size for e in os.scandir(d) if e.is_file())
    except OSError:
        return 0


def cmd_run(args: argparse.Namespace) -> int:
    with few_collections(raw_size(args.root)):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    only, collate = args.only, not args.no_collate
    force = getattr(args, "force", False)
    from pipeline.cache import RunCache
    cache = RunCache(root)
    key = run_key(root, only, collate)
    last = None if force else cache.up_to_date(key, root)
    if last is not None:  # nothing changed since the last run, and its outputs are intact
        for line in last.get("messages", []):
            print(line, file=sys.stderr)
        if not args.quiet:
            print("edition: nothing changed since the last run (--force recomputes)", file=sys.stderr)
        return 0
    cache.forget_run()  # the outputs are about to change; a run killed now is not "up to date"
    from pipeline.context import Resources
    res = Resources(root)
    messages: list[str] = []
    checked = []

    def check_rules() -> None:  # the rules' own examples, tested while a worker collates
        if not checked:
            checked.append(True)
            messages.extend(failing_rules(res))
            for line in messages:
                print(line, file=sys.stderr)
    try:
        cleaned, files = build_edition(root, only, collate, args.quiet, _jobs(args, own_choice=True), force,
                                       getattr(args, "scheduler", None), res, meanwhile=check_rules)
    finally:  # said before anything else, even when the run fails
        check_rules()
    from pipeline.review import review_words
    said = []
    for wid, c in cleaned.items():
        said += decision_messages(wid, c)
        words = review_words(root / "review" / f"{wid}.toml")
        if words:  # an export saved by hand: its words belong in the word list, not here
            said.append(f"review/{wid}.toml: lists words for the word list ({', '.join(words[:5])}"
                        f"{', ...' if len(words) > 5 else ''}) that this run does not read: "
                        f"`edition review import review/{wid}.toml` moves them to rules/words/")
    for line in said:
        print(line, file=sys.stderr)
    if not args.quiet:
        for wid, c in cleaned.items():
            print(f"{wid}: {len(c.changes)} changes, {len(c.queries)} queries"
                  + (f", {len(c.stale)} stale decisions" if c.stale else ""), file=sys.stderr)
    # what this run said is said again by a run that finds nothing changed
    cache.save_run(run_key(root, only, collate), root, list(files), messages + said)
    return 0


def failing_rules(res) -> list[str]:
    """A rule whose own examples fail is applied anyway, but never silently."""
    from pipeline.rules import test_rule
    out = []
    for r in res.rules:
        fails = test_rule(r)  # its own examples (`edition rules test` also checks how rules meet)
        if fails:
            out.append(f"edition: WARNING: {r.where}: rule {r.id!r} fails its own examples "
                       f"({len(fails)}: {fails[0]}); it is applied anyway: fix it, then `edition rules test`")
    return out


def decision_messages(wid: str, c, most: int = 10) -> list[str]:
    """How many review decisions took effect, and which did not: stale ids, refused rejections."""
    out = []
    if c.review:
        n = len(c.review)
        out.append(f"review/{wid}.toml: {c.applied} of {n} decision{'s' if n != 1 else ''} applied"
                   + (f", {len(c.stale)} stale" if c.stale else "")
                   + (f", {len(c.refused)} refused" if c.refused else ""))
    out += [f"review/{wid}.toml: stale decision {sid!r}: no such change or query in this run" for sid in c.stale[:most]]
    if len(c.stale) > most:
        out.append(f"review/{wid}.toml: ... and {len(c.stale) - most} more stale decisions (see reports/index.html)")
    out += [f"review/{wid}.toml: rejection of {cid!r} not applied: undoing a line join or hyphen decision "
            "alone would leave a line break inside a paragraph; answer its query or write a rule" for cid in c.refused[:most]]
    if len(c.refused) > most:
        out.append(f"review/{wid}.toml: ... and {len(c.refused) - most} more rejections not applied (same reason)")
    return out


def report_decisions(wid: str, c, most: int = 10) -> None:
    """Say how many review decisions took effect, and which did not: stale ids, refused rejections."""
    for line in decision_messages(wid, c, most):
        print(line, file=sys.stderr)


def cmd_clean(args: argparse.Namespace) -> int:
    with few_collections():
        return _clean(args)


def _clean(args: argparse.Namespace) -> int:
    from pipeline.config import check_project
    from pipeline.context import Resources

    root = args.root.resolve()
    res = Resources(root)
    paths = [Path(t) for t in args.targets]
    default_out = False
    if args.out is None and not _all_witness_ids(root, args.targets):
        for t, p in zip(args.targets, paths):
            if not p.is_file() and (p.suffix or "/" in t or "\\" in t or not (root / "raw" / "witnesses.toml").exists()):
                raise EditionError(t, "file not found (give witness ids of raw/witnesses.toml, or text files)")
        if all(p.is_file() for p in paths):
            args.out = paths[0].resolve().parent / "clean"  # plain files: never beside (or over) the input
            default_out = True
    if args.out is None:  # witness ids: what depends on them (reports, index, collation) is rewritten
        cleaned, _ = build_edition(root, list(dict.fromkeys(args.targets)), collate=True, quiet=args.quiet,
                                   jobs=_jobs(args, own_choice=True), force=getattr(args, "force", False),
                                   scheduler=getattr(args, "scheduler", None))
        for wid, c in cleaned.items():
            report_decisions(wid, c)
        return 0
    if not args.lang:
        raise EditionError(None, "--lang en|ru|auto is required to clean plain-text files")
    if args.out.exists() and not args.out.is_dir():
        raise EditionError(args.out, "--out names a file; it must be a folder (made if missing)")
    check_project(res, None)
    if default_out and not args.quiet:
        _err().print(f"no --out given: writing into {args.out}")
    return clean_files(res, paths, args.lang, args.out, args.encoding, args.quiet, _jobs(args),
                       getattr(args, "scheduler", None))


def clean_files(res, paths: list[Path], lang: str, out: Path, encoding: str = "auto", quiet: bool = True,
                jobs: int = 1, scheduler: str | None = None) -> int:
    """`edition clean FILE... --out DIR` as a stream: every input is checked first (a bad one
    stops the command before any work), then the files are cleaned a few at a time and each
    one's three outputs are written (atomically) as soon as it is done; memory does not grow
    with the number of files."""
    from pipeline.commands.execute import FileTask, bundle_of, clean_file_task, executor, sample_of
    from pipeline.outputs import write_files
    from pipeline.sources import read_text_file

    names: set[str] = set()
    langs: dict[Path, str] = {}
    # the start of a file of each language: the workers warm up with all of them before their first
    # task (the first tasks, the largest, may all be of one language: Russian books are the larger in bytes)
    samples: dict[str, str] = {}
    for p in paths:
        if p.is_dir():
            raise EditionError(p, "is a folder, not a text file")
        if not p.is_file():
            raise EditionError(p, "file not found")
        if p.stem in names:
            raise EditionError(p, f"two input files named {p.stem!r}; outputs would collide")
        names.add(p.stem)
    for p in paths:  # refused if bad before any work; decoding again in the workers costs little
        raw, found = read_text_file(p, encoding)
        langs[p] = lang if lang != "auto" else language_of(raw, p)
        if langs[p] not in samples:
            samples[langs[p]] = sample_of(raw)
        if not quiet and (found not in ("utf-8", encoding) or "\r" in raw):
            crlf = ", CR/CRLF line ends normalised" if "\r" in raw else ""
            _err().print(f"{p}: decoded as {found}{crlf} (recorded in the change log)")
        del raw
    from pipeline.outputs import refuse_inputs
    refuse_inputs([out / f"{p.stem}{ext}" for p in paths for ext in (".txt", ".changes.jsonl", ".queries.tsv",
                                                                     ".layout.json")],
                  paths, [res.root / "raw"])
    # the largest first: the last files to start are small ones, so no worker waits long for another
    tasks = (FileTask(p.stem, str(p), p.read_bytes(), langs[p], encoding)
             for p in sorted(paths, key=lambda p: -p.stat().st_size))
    done = 0
    with progress_bar(quiet) as progress, executor(scheduler, jobs if len(paths) > 1 else 1, len(paths)) as ex:
        bar = progress.add_task("cleaning", total=len(paths))
        for name, (text, changes, queries, layout) in ex.map(clean_file_task, bundle_of(res, ship=bool(scheduler)),
                                                             tasks, list(samples.items())):
            write_files({out / f"{name}.txt": text, out / f"{name}.changes.jsonl": changes,
                         out / f"{name}.queries.tsv": queries, out / f"{name}.layout.json": layout})
            done += 1
            progress.advance(bar)
    if not quiet:
        _err().print(f"cleaned {done} file(s) into {out}")
    return 0


def language_of(text: str, path: Path) -> str:
    """`--lang auto`: a file's language from its letters, "ru" if most are Cyrillic, "en" if most
    are Latin; a file with neither is refused (the language is never guessed)."""
    import re
    # counted by runs of letters (a list of words, not of every letter: a 100 kB book took 6 ms)
    cyrillic = sum(map(len, re.findall("[\u0400-\u04ff]+", text)))
    latin = sum(map(len, re.findall("[A-Za-z]+", text)))
    if cyrillic + latin == 0:
        raise EditionError(path, "--lang auto: no Latin or Cyrillic letters to tell the language by; give --lang en|ru")
    return "ru" if cyrillic > latin else "en"


def _all_witness_ids(root: Path, targets: list[str]) -> bool:
    """Are these targets witness ids of the project's catalogue (raw/witnesses.toml)?"""
    from pipeline.witnesses import load_corpus
    if not (root / "raw" / "witnesses.toml").exists():
        return False
    ids = {w.id for w in load_corpus(root / "raw").witnesses}
    return all(t in ids for t in targets)


def _jobs(args: argparse.Namespace, own_choice: bool = False) -> int:
    """The processes --jobs asks for: -1 one per core; 0 the command's own choice where it has
    one (`own_choice`: build_edition's _share), else this process alone."""
    jobs = getattr(args, "jobs", 1)
    if jobs == 0 and not own_choice:
        return 1
    return (os.cpu_count() or 1) if jobs < 0 else jobs


def cmd_stages(args: argparse.Namespace) -> int:
    """The configured stages in order, as they declare themselves."""
    from rich.console import Console

    from pipeline.config import stages_of
    from pipeline.context import Resources
    stages = stages_of(Resources(args.root.resolve()))
    rows = [{"name": s.name, "requires": list(s.requires), "assigns": list(s.assigns), "leaves": list(s.leaves),
             "kinds": list(s.kinds), "labels": s.labels, "doc": s.doc,
             "settings": {k: {"type": _type_name(f.annotation), "default": f.default}
                          for k, f in s.settings.model_fields.items()}} for s in stages]
    if args.json:
        print(json.dumps({"stages": rows}, ensure_ascii=False, indent=1))
        return 0
    con = Console()
    for i, r in enumerate(rows, 1):
        con.print(f"[bold]{i}. {r['name']}[/bold]  [dim]{r['doc']}[/dim]", highlight=False)
        for key in ("requires", "assigns", "leaves", "kinds"):
            if r[key]:
                con.print(f"   {key}: {', '.join(r[key])}", highlight=False)
        if r["labels"]:
            con.print("   labels: " + ", ".join(f"{k} = {v!r}" for k, v in r["labels"].items()), highlight=False)
        for k, f in r["settings"].items():
            con.print(f"   setting {k}: {f['type']} = {f['default']!r}", highlight=False)
    return 0


def _type_name(annotation) -> str:
    return annotation.__name__ if isinstance(annotation, type) else str(annotation).replace("typing.", "")


# a sentence per language: cleaning it touches every table a stage builds on first use (the
# Russian one has a word whose beginning was lost, «мунистической», for grammar's word ends)
_WARM_UP = {
    "en": "The workers' opposition met in Moscow in the spring of 1921 to discuss the trade unions.\n",
    "ru": "Рабочая оппозиция мунистической партии собралась в Москве весной 1921 года.\n",
}


def cmd_prepare(args: argparse.Namespace) -> int:
    """Build the on-disk tables the stages read (word lists, word indexes, the real-word
    confusions: about 20 s) now, by cleaning a sentence in each language, then the Russian
    frequent words' sorted list, the report templates compiled and the declined forms of the
    name authority's Russian names, so that no later run pays for them. `make install` calls it;
    a run finds them in EDITION_CACHE."""
    import tempfile

    from pipeline.context import Resources
    with tempfile.TemporaryDirectory(prefix="edition-prepare-") as tmp:
        paths = []
        for lang in args.lang or sorted(_WARM_UP):
            p = Path(tmp) / f"warm-up-{lang}.txt"
            p.write_text(_WARM_UP[lang], encoding="utf-8")
            paths.append(p)
        rc = clean_files(Resources(args.root.resolve()), paths, "auto", Path(tmp) / "out", quiet=True)
    if "ru" in (args.lang or _WARM_UP):  # what the warm-up sentence may not reach
        from pipeline.lexicon import frequent_words
        frequent_words("ru")
    if "en" in (args.lang or _WARM_UP):  # the period corpus's n-grams (the calibration's), read at a decision
        from pipeline.correct.period import ngrams
        ngrams()
        from pipeline.correct.accents import english_letters  # (read where a form is not plain ASCII)
        english_letters()
    from pipeline.collate.writers import _environment
    from pipeline.report.html import env
    for e in (env(), _environment()):  # the report templates, compiled once (jinja2's bytecode cache)
        for name in e.list_templates():
            e.get_template(name)
    from pipeline.collate import _authority
    from pipeline.collate.anchors import AnchorFinder
    AnchorFinder(_authority(Resources(args.root.resolve())))  # the authority's Russian name forms, cached
    return rc
