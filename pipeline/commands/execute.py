"""Where witnesses are cleaned: in this process, in N local processes, or on a Dask cluster.

A cleaning task is a pure function of one text plus read-only resources (config, policy,
rules, authority, lexicons). The resources travel as a `Bundle`: the project folder's path
for workers on this machine, or the bytes of config/, rules/ and the catalogue for a cluster
whose workers cannot see the project; each worker process loads them once (`resources_of`)
and the lexicons once (memory-mapped, pipeline.store). Results stream back as they finish,
with a bounded number of tasks in flight, so memory does not grow with the number of texts;
the caller (the client) writes every output.

    with executor("local:2") as ex:            # or None / "processes:N" / "tcp://host:8786"
        for key, result in ex.map(fn, bundle, tasks):
            ...
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from pipeline.cache import digest
from pipeline.context import Resources
from pipeline.errors import EditionError


@dataclass(frozen=True)
class Bundle:
    """The read-only resources of a run, as a worker receives them."""

    digest: str
    root: str  # the project folder on the client's machine
    files: tuple[tuple[str, bytes], ...] | None = None  # for remote workers: (relative path, bytes)


def bundle_of(res: Resources, ship: bool = False) -> Bundle:
    """The run's resources as a Bundle; with `ship`, by value (config/, rules/, raw/witnesses.toml
    and the Russian witnesses whose names detect reads), for workers on other machines."""
    base = res.data_root
    files: list[tuple[str, bytes]] = []
    for sub in ("config", "rules"):
        d = base / sub
        if d.is_dir():
            files += [(p.relative_to(base).as_posix(), p.read_bytes()) for p in sorted(d.rglob("*"))
                      if p.is_file() and not p.name.startswith(".")]
    catalogue = base / "raw" / "witnesses.toml"
    if catalogue.is_file():
        files.append(("raw/witnesses.toml", catalogue.read_bytes()))
        try:
            from pipeline.witnesses import load_corpus
            corpus = load_corpus(base / "raw")
            files += [(f"raw/{w.file}", corpus.path(w).read_bytes()) for w in corpus.witnesses if w.language == "ru"]
        except EditionError:
            pass
    key = digest(str(base), str(res.root), *(x for pair in files for x in pair))
    return Bundle(key, str(res.root), tuple(files) if ship else None)


_RESOURCES: dict[tuple, Resources] = {}


def resources_of(bundle: Bundle) -> Resources:
    """The bundle's Resources in this process, loaded once per process (a worker keeps them)."""
    key = (bundle.digest, bundle.files is None)  # by path and by value give different roots
    res = _RESOURCES.get(key)
    if res is None:
        if bundle.files is None:
            res = Resources(Path(bundle.root))
        else:
            res = Resources(_unpack(bundle))
        _RESOURCES.clear()  # one run's resources at a time
        _RESOURCES[key] = res
    return res


def adopt(bundle: Bundle, res: Resources) -> None:
    """Let the tasks of `bundle` in this process, and in the worker processes forked from it,
    use `res`: what the client has loaded already (rules, authority, word lists) is not loaded
    again. Resources this process holds for the same bundle are kept (loaded longer ago, they
    hold more)."""
    key = (bundle.digest, bundle.files is None)
    if key not in _RESOURCES:
        _RESOURCES.clear()
        _RESOURCES[key] = res


def _unpack(bundle: Bundle) -> Path:
    """Write a shipped bundle into this machine's temp folder (once per bundle)."""
    target = Path(tempfile.gettempdir()) / f"edition-bundle-{bundle.digest[:16]}"
    if not target.is_dir():
        tmp = Path(tempfile.mkdtemp(prefix=".edition-bundle-", dir=target.parent))
        for rel, data in bundle.files or ():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        try:
            os.rename(tmp, target)
        except OSError:  # another worker unpacked it first
            pass
    return target


class Executor:
    """Runs `fn(bundle, task)` over tasks, yielding (task key, result) as each finishes."""

    jobs = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        pass

    def prepare(self, bundle: Bundle) -> object:
        return bundle

    def map(self, fn: Callable, bundle: Bundle, tasks: Iterable,
            samples: list[tuple[str, str]] | None = None) -> Iterator[tuple[str, object]]:
        """`samples`: (language, start of a text) of each language among the tasks, for the workers'
        warm-up (`_warm_up`); by default taken from the first tasks (`_samples`)."""
        for task in tasks:
            yield task.key, fn(bundle, task)


class Processes(Executor):
    """N worker processes on this machine (concurrent.futures). With `recycle`, a worker is
    replaced after that many tasks, so whatever a stage caches cannot grow with the number of
    texts (a new worker costs little: forked from a server that has imported the pipeline,
    the word lists memory-mapped)."""

    def __init__(self, jobs: int, recycle: int | None = None):
        from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only when processes are used
        self.jobs = jobs
        self.recycle = recycle
        if recycle:
            import multiprocessing
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["pipeline.commands.execute", "pipeline.run", "pipeline.report.files"])
            self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, max_tasks_per_child=recycle)
        else:
            self.pool = ProcessPoolExecutor(max_workers=jobs)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)

    def map(self, fn, bundle, tasks, samples=None):
        pending: dict = {}
        it = iter(tasks)
        window = 2 * self.jobs
        if self.recycle:
            first = list(islice(it, window))
            _start_warm_server(bundle, samples or _samples(first))
            it = chain(first, it)
        while True:
            for task in it:
                pending[self.pool.submit(fn, bundle, task)] = task.key
                if len(pending) >= window:
                    break
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in sorted(done, key=lambda f: pending[f]):
                yield pending.pop(f), f.result()


class Dask(Executor):
    """A Dask cluster: a LocalCluster of N worker processes ("local:N") or an existing
    scheduler ("tcp://host:port"). To an existing scheduler's workers the resources are shipped
    by value once (scattered to every worker); a local cluster's workers read them by path, are
    forked warm and are replaced after RECYCLE tasks (_map_local). The client keeps at most a
    few tasks per worker in flight."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover (a dependency of the package)
            raise EditionError(None, f"--scheduler {address}: dask.distributed is not installed ({exc})") from exc
        self.cluster = None
        self.trace: dict | None = None
        self._replaced = 0  # workers started in place of lost ones (_replace)
        if address.startswith("local:"):
            n = _count(address[len("local:"):], address)
            import dask
            # the workers' statistical profiler samples the running task's stack every 10 ms, every
            # process's event-loop watchdog ticks every 20 ms and its system monitor every 0.5 s:
            # CPU taken from the stages, for a dashboard nobody opens here (an idle cluster of two
            # workers took 11 % of a core, 3 % with these)
            # so do the active memory manager and the memory monitors (nanny and worker, every 0.1 s;
            # memory_limit=0): nothing here to replicate or spill (results leave as they finish).
            # Work stealing off: each task is given to one worker (_map_local), which it may leave only
            # if that worker is gone
            dask.config.set({"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s",
                             "distributed.scheduler.work-stealing": False,
                             "distributed.admin.system-monitor.interval": "5s",
                             "distributed.admin.system-monitor.disk": False,
                             "distributed.scheduler.active-memory-manager.start": False,
                             "distributed.worker.multiprocessing-method": "forkserver"})
            # the cluster starts with the first tasks (_start_local): its workers are forked warm
            self.cluster, self.client, self.jobs, self.remote = None, None, n, False
        else:
            try:
                self.client = Client(address, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise EditionError(None, f"--scheduler {address}: cannot reach the scheduler ({exc})") from exc
            self.jobs = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))
            self.remote = True
            self._trace_start()
        self.resident: str | None = None

    def _start_local(self, bundle: Bundle, samples: list) -> None:
        """Start the LocalCluster, its worker processes forked from a server that has imported
        distributed and the stages and, when it starts here, cleaned the start of a task of each language
        (_start_warm_server, as Processes' recycled workers): each worker, and each one that
        replaces it, starts with the resources, word tables and models loaded, their pages shared
        with the server's, not loaded again into its own."""
        from distributed import Client, LocalCluster
        _preload_workers()
        _start_warm_server(bundle, samples)
        self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                                    dashboard_address=None, silence_logs=40, memory_limit=0)
        self.client = Client(self.cluster)
        self._trace_start()

    def _trace_start(self) -> None:
        """With $EDITION_DASK_TRACE set (a file name; "{pid}" in it: this process's id), distributed's
        task stream is recorded from now on (its scheduler plugin registered) and written out with the
        scheduler's events and the recycled workers' restarts when the run ends (_trace_write): which
        worker ran what when, which workers joined and left (benchmarks/dask_trace.py reads it)."""
        if os.environ.get(TRACE_ENV) and self.client is not None:
            self.trace = {"start": time.time(), "restarts": []}
            self.client.get_task_stream()

    def _trace_write(self) -> None:
        import json
        trace, path = self.trace, os.environ.get(TRACE_ENV, "").replace("{pid}", str(os.getpid()))
        if trace is None or not path or self.client is None:
            return
        try:
            trace["stream"] = [{"key": str(r["key"]), "worker": r["worker"],
                                "compute": [(s["start"], s["stop"]) for s in r["startstops"] if s["action"] == "compute"]}
                               for r in self.client.get_task_stream()]
            trace["events"] = [(t, repr(e)) for t, e in self.client.get_events("all")]
            trace["end"] = time.time()
            Path(path).write_text(json.dumps(trace, default=str), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - a trace that cannot be written costs the run nothing
            print(f"edition: warning: no Dask trace written to {path} ({exc})", file=sys.stderr)

    def close(self) -> None:
        self._trace_write()
        if self.resident is not None and self.remote:  # a cluster that outlives the run: its later workers need none
            try:
                self.client.unregister_worker_plugin(self.resident)
            except Exception:  # noqa: BLE001 - a cluster gone already has no plugin to forget
                pass
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def map(self, fn, bundle, tasks, samples=None):
        if not self.remote:
            yield from self._map_local(fn, bundle, tasks, samples)
            return
        from distributed import as_completed
        it = iter(tasks)
        window = 2 * self.jobs
        head = list(islice(it, window))
        if not head:
            return
        plugin = _resident(bundle, samples or _samples(head))
        self.client.register_plugin(plugin)
        self.resident = plugin.name
        shipped = self.client.scatter(bundle, broadcast=True)  # by value, once per worker
        keys: dict = {}
        first = []
        for task in head:
            f = self.client.submit(fn, shipped, task, pure=False)
            keys[f.key] = task.key
            first.append(f)
        running = as_completed(first)
        for f in running:
            key = keys.pop(f.key)
            result = f.result()
            f.release()
            for task in it:
                nf = self.client.submit(fn, shipped, task, pure=False)
                keys[nf.key] = task.key
                running.add(nf)
                break
            yield key, result

    def _map_local(self, fn, bundle, tasks, samples=None):
        """On a LocalCluster: each worker given at most two tasks at a time (the next one queued
        behind the running one), and restarted by its nanny after RECYCLE tasks, so that what a
        stage caches cannot grow with the number of texts (as Processes' recycled workers; a
        Dask worker otherwise lives the whole run: 50 scale books on local:2, each worker grew
        from 105 to 200 MB, ~3.5 MB a book, the stages' memos filling). The workers are on
        this machine: the bundle goes by path (a few bytes a task, nothing scattered that a
        restart would lose), and a new worker is warmed up by the plugin before its first task."""
        from distributed import as_completed
        local = Bundle(bundle.digest, bundle.root, None)
        it = iter(tasks)
        head = list(islice(it, 2 * self.jobs))
        if not head:
            return
        samples = samples or _samples(head)
        if self.client is None:
            self._start_local(local, samples)
        plugin = _resident(local, samples)
        self.client.register_plugin(plugin)
        self.resident = plugin.name
        queue = chain(head, it)
        following = [next(queue, None)]  # the next task, looked at before a worker is restarted
        names = {info["name"]: addr for addr, info in self.client.scheduler_info()["workers"].items()}
        given = dict.fromkeys(names, 0)
        held = dict.fromkeys(names, 0)
        keys: dict = {}  # future key -> (task key, worker name)
        running = as_completed()

        def feed(name) -> None:
            while following[0] is not None and held[name] < 2 and given[name] < RECYCLE:
                task, following[0] = following[0], next(queue, None)
                # to that worker while it lives; if it leaves the cluster, to another (a worker lost
                # after its restart was counted would otherwise hold its tasks, and the run, for ever)
                f = self.client.submit(fn, local, task, pure=False, workers=[names[name]], allow_other_workers=True)
                keys[f.key] = (task.key, name)
                given[name] += 1
                held[name] += 1
                running.add(f)

        for name in names:
            feed(name)
        for f in running:
            key, name = keys.pop(f.key)
            result = f.result()
            f.release()
            held[name] -= 1
            if name in names and given[name] >= RECYCLE and not held[name] and following[0] is not None:
                if self._recycle(names, name):
                    given[name] = 0
                else:  # another worker is started in its place; the run goes on with the others meanwhile
                    del names[name]
                    self._replace(name)
            if name in names:
                feed(name)
            if len(names) < self.jobs and following[0] is not None:
                # a replacement that has joined since (waited for when no other worker is left)
                for new in self._joined(names, wait=not names):
                    given[new] = held[new] = 0
                    feed(new)
            yield key, result
        if following[0] is not None:
            print("edition: warning: no Dask worker left; the run goes on in this process", file=sys.stderr)
        while following[0] is not None:  # no worker left (every one lost): the rest here, the same pure stages
            task, following[0] = following[0], next(queue, None)
            yield task.key, fn(local, task)

    def _recycle(self, names: dict, name) -> bool:
        """Restart worker `name` (its nanny starts a new process, forked warm) and note its new
        address; False, with a warning, when it is not back within RESTART_TIMEOUT. A restart that
        never returned was seen twice in a few hundred (200 scale books): without a timeout of its
        own, the client waited distributed's 120 s and the whole run failed. A restart is OK once the
        scheduler counts as many workers as before, which may still be the old one, not yet removed:
        the new worker is the one of that name at another address (_rejoined)."""
        address = names[name]
        t = time.time()
        status = self.client.restart_workers([address], timeout=RESTART_TIMEOUT, raise_for_error=False)
        new = self._rejoined(name, address, t + RESTART_TIMEOUT) if status.get(address) == "OK" else None
        if self.trace is not None:
            self.trace["restarts"].append({"name": name, "old": address, "new": new, "start": t, "end": time.time(),
                                           "status": status.get(address)})
        if new is not None:
            names[name] = new
            return True
        print(f"edition: warning: Dask worker {name} did not come back from its restart "
              f"({status.get(address, 'gone')}); another is started in its place", file=sys.stderr)
        return False

    def _rejoined(self, name, old: str, deadline: float) -> str | None:
        """The address of the worker named `name` other than `old`, once the scheduler lists it
        (None if it does not by `deadline`)."""
        def found() -> str | None:
            return next((addr for addr, info in self.client.scheduler_info()["workers"].items()
                         if info["name"] == name and addr != old), None)
        return _until(found, deadline, 0.05)

    def _replace(self, name) -> None:
        """Start a worker in place of `name`, lost in its restart: the local cluster (distributed's
        SpecCluster) is told to close that worker's nanny and start one of another name, which
        _joined adopts (the run does not finish on fewer cores than it was given)."""
        if self.cluster is None or name not in self.cluster.worker_spec:
            return
        spec = self.cluster.worker_spec.pop(name)
        self._replaced += 1
        self.cluster.worker_spec[f"{name}.{self._replaced}"] = spec
        self.cluster.scale(len(self.cluster.worker_spec))  # reconciles: closes the old, starts the new

    def _joined(self, names: dict, wait: bool = False) -> list:
        """The cluster's workers the run does not use yet (started by _replace), added to `names`;
        with `wait`, waits for one up to RESTART_TIMEOUT."""
        wanted = set(self.cluster.worker_spec) if self.cluster is not None else set()

        def adopt() -> list:
            adopted = []
            for addr, info in self.client.scheduler_info()["workers"].items():
                if info["name"] in wanted and info["name"] not in names and len(names) < self.jobs:
                    names[info["name"]] = addr
                    adopted.append(info["name"])
            return adopted
        return _until(adopt, time.time() + (RESTART_TIMEOUT if wait else 0), 0.1)


def _until(probe: Callable, deadline: float, every: float):
    """probe()'s first truthy answer, asked every `every` seconds until `deadline` (its last answer then)."""
    while True:
        got = probe()
        if got or time.time() >= deadline:
            return got
        time.sleep(every)


# a file to write a local cluster's task stream, scheduler events and restarts into (Dask._trace_start)
TRACE_ENV = "EDITION_DASK_TRACE"


# what a worker imports to clean a file (clean_file_task, clean_witness_task)
WORKER_MODULES = ["pipeline.commands.execute", "pipeline.run", "pipeline.stages", "pipeline.config",
                  "pipeline.report.files"]


def _preload_workers() -> None:
    """A local cluster's worker processes forked from one server that has imported distributed
    and the stages, instead of each starting Python and importing them (~1 s of CPU a worker,
    and the imported code's pages shared): still new processes, which see only what is shipped."""
    from multiprocessing import forkserver

    from distributed.utils import get_mp_context
    ctx = get_mp_context()  # sets distributed's own list of modules for the server to import
    preloaded = getattr(getattr(forkserver, "_forkserver", None), "_preload_modules", None) or ["distributed"]
    ctx.set_forkserver_preload(list(dict.fromkeys([*preloaded, *WORKER_MODULES])))


def _count(text: str, spec: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise EditionError(None, f"--scheduler {spec}: expected local:N (N workers, N >= 1) or tcp://HOST:PORT")
    return n


# the forkserver's warm-up, told through its environment (it starts Python anew; the preloaded modules
# are all it runs before forking): {"root", "digest", "samples": [[language, text], ...]}
WARM_ENV = "EDITION_FORKSERVER_WARM"
WARM_CHARS = 4_000  # of each language's first task: enough text for every stage to load what it reads


def _start_warm_server(bundle: Bundle, samples: list) -> None:
    """Start the forkserver of recycled workers warm: before it forks any, it cleans the samples,
    the start of a task of each language (`_warm`), so the stages' modules, the project's resources,
    the word tables, the language and OCR models and the Russian analyser are loaded once, there;
    each worker (a new one every RECYCLE tasks) is forked with them instead of loading them itself
    (about a second of CPU a worker), and shares their pages. A server already running is left as it
    is (its workers load what they lack)."""
    import json
    from multiprocessing import forkserver
    if bundle.files is not None or not samples:
        return
    os.environ[WARM_ENV] = json.dumps({"root": bundle.root, "digest": bundle.digest, "samples": samples})
    try:
        forkserver.ensure_running()
    finally:
        os.environ.pop(WARM_ENV, None)


def _samples(first: list) -> list[tuple[str, str]]:
    """(language, the start of its first task's text) for each language among the first tasks."""
    samples: dict[str, str] = {}
    for task in first:
        language = getattr(task, "language", None) or getattr(getattr(task, "witness", None), "language", None)
        text = task.data.decode("utf-8", "replace") if isinstance(getattr(task, "data", None), bytes) \
            else getattr(task, "raw", None)
        if language and isinstance(text, str) and language not in samples:
            samples[language] = sample_of(text)
    return list(samples.items())


def sample_of(text: str) -> str:
    """The start of a text to warm up with (whole lines, about WARM_CHARS)."""
    return text[:WARM_CHARS].rsplit("\n", 1)[0] + "\n"


def _warm(spec: str) -> None:
    """In the forkserver (module import, WARM_ENV set): warm up (`_warm_up`) with the samples."""
    import json
    try:
        data = json.loads(spec)
        bundle, samples = Bundle(data["digest"], data["root"]), data["samples"]
    except (ValueError, KeyError, TypeError):
        bundle, samples = None, []
    _warm_up(bundle, samples)


# (bundle digest, language) this process has warmed up with, or the process it was forked from
_WARMED: set[tuple[str, str]] = set()


def _warm_up(bundle: Bundle | None, samples: list) -> None:
    """Clean the samples with the bundle's resources, so that what the stages load (resources,
    word tables, models) is loaded, then freeze it (gc.freeze: collections never visit it again;
    in a forkserver, the pages stay shared with the workers forked from it). A language this
    process holds warm already (a worker forked from a warm server) is not cleaned again."""
    import gc
    key = bundle.digest if bundle is not None else ""
    todo = [(language, text) for language, text in samples if (key, language) not in _WARMED]
    if samples and not todo:
        return
    try:
        for language, text in todo:
            clean_file_task(bundle, FileTask("warm", "warm.txt", text.encode("utf-8"), language, "utf-8"))
            _WARMED.add((key, language))
    except Exception:  # noqa: BLE001 - a warm-up that fails leaves the tasks to load as before
        pass
    gc.collect()
    gc.freeze()


def _resident(bundle: Bundle, samples: list):
    """A Dask worker plugin that warms each worker up as it joins the cluster (`_warm_up`: the
    resources loaded and frozen before its first task; a Dask worker lives the whole run, and its
    collections no longer walk the word tables and models, ~1.5 % of its CPU). Made here, not at
    import: `distributed` is imported only when a scheduler is used."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class Resident(WorkerPlugin):
        name = f"edition-resources-{bundle.digest[:16]}"

        def __init__(self):
            self.bundle, self.samples = bundle, samples

        def setup(self, worker) -> None:
            _warm_up(self.bundle, self.samples)

    return Resident()


# tasks per worker process in a long stream (`edition clean` of many files): a worker's memos fill
# fastest over its first books (scale books: ~4 MB a book over the first 25); a new one is forked
# warm (_start_warm_server: it loaded its lexicons again, ~1 s of CPU, before). 200 scale books with
# --jobs 2: peak PSS 528 MB (25: 562 MB); forked warm, with larger candidate memos: 429-473 MB in three runs (475-486 without)
# A local Dask cluster's workers too (Dask._map_local): 200 scale books on local:2, peak 451-476 MB (667 MB unrecycled)
RECYCLE = 15
# seconds a recycled Dask worker has to come back (a warm one forks in well under one: 0.22-0.46 s in
# ~150 restarts at loads up to 6; distributed's own default, 120 s, held a whole run up when one never
# did). One of them never did: its new worker joined and left 40 ms later (scheduler events), and the
# client waited out the 30 s this was, the cluster idle (local:1), before starting another
RESTART_TIMEOUT = 10


def executor(scheduler: str | None = None, jobs: int = 1, tasks: int = 1) -> Executor:
    """The executor for `--scheduler` / `--jobs`: Dask when a scheduler is given, else local
    processes when jobs > 1 or the stream is long (recycled workers bound the memory), else
    this process."""
    if scheduler:
        if not (scheduler.startswith("local:") or "://" in scheduler):
            raise EditionError(None, f"--scheduler {scheduler}: expected local:N or tcp://HOST:PORT")
        return Dask(scheduler)
    long = tasks > 2 * RECYCLE
    if jobs > 1 or long:
        return Processes(jobs, RECYCLE if long else None)
    return Executor()


@dataclass
class WitnessTask:
    """One witness of the catalogue to clean (read and decoded by the client)."""

    key: str  # the witness id
    raw: str
    witness: object  # pipeline.model.Witness
    decisions: object  # pipeline.review.Decisions
    encoding: str


def clean_witness_task(bundle: Bundle, task: WitnessTask, on_text: Callable | None = None):
    """Clean one witness with the bundle's resources (in whatever process runs it); `on_text(key,
    text)`, in this process: told its clean text early (pipeline.run.clean_witness)."""
    from pipeline.run import clean_witness
    return clean_witness(task.raw, task.witness, resources_of(bundle), task.decisions,
                         facts={"encoding": task.encoding},
                         on_text=(lambda text: on_text(task.key, text)) if on_text is not None else None)


@dataclass
class FileTask:
    """One plain-text file of `edition clean FILE... --out DIR`, as bytes."""

    key: str  # the output name (the file's stem)
    path: str  # as given, for messages and the witness's `file`
    data: bytes
    language: str
    encoding: str  # declared, or "auto"


@dataclass(frozen=True)
class Streamed:
    """An output written a record at a time when its file is (pipeline.outputs.Content): the
    writer and what it writes. The change log of a 100 MB file as one string was several hundred
    MB; this holds the compact log (model.ChangeLog) and travels from a worker as that."""

    write: Callable
    data: object

    def __call__(self, out) -> None:
        self.write(out, self.data)


# a file's change log and queries are written out (as the bytes of their files) where it is cleaned
# when it has at most this many changes; a larger one's go to the client as the compact log, written
# a record at a time (Streamed). Rendered by the client, a scale book's log (2,500 changes, 0.7 MB of
# JSON lines) took it ~25 ms: with two workers on two cores, that serial work (an eighth of a
# worker's) competed with them; in the worker it is shared out with the cleaning
RENDER_LIMIT = 50_000


def _rendered(write: Callable, data, n: int):
    """The output as the bytes of its file when `n` (its records) is small, else Streamed."""
    if n > RENDER_LIMIT:
        return Streamed(write, data)
    from pipeline.outputs import content_bytes
    return content_bytes(Streamed(write, data))


def clean_file_task(bundle: Bundle, task: FileTask) -> tuple[str, bytes | Streamed, bytes | Streamed, str]:
    """Decode and clean one file; its outputs: clean text, change log and queries TSV (the bytes
    of their files, or for a very large file writers that stream them when their files are
    written: _rendered), and what the stages measured of the file (layout, page furniture,
    conventions: how it was read)."""
    import json

    from pipeline.model import Witness, slug
    from pipeline.report.files import write_changes, write_queries
    from pipeline.run import clean_witness
    from pipeline.sources import decode_bytes
    raw, encoding = decode_bytes(task.data, task.path, task.encoding)
    w = Witness(id=slug(task.key), file=task.path, language=task.language, work=slug(task.key), role="original",
                origin="file", encoding=encoding)
    c = clean_witness(raw, w, resources_of(bundle), facts={"encoding": encoding})
    layout = json.dumps(c.facts.get("layout", {}), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return (c.text, _rendered(write_changes, c.changes, len(c.changes)),
            _rendered(write_queries, c.queries, len(c.queries)), layout)


if os.environ.get(WARM_ENV):  # imported by a warm forkserver (_start_warm_server) as it starts
    _warm(os.environ.pop(WARM_ENV))
