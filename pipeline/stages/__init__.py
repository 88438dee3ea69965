"""The stages, declared: each module pipeline/stages/<name>.py registers its `run`
function with `@stage(...)`, stating what it needs and what it leaves:

    @stage("hyphenation", requires=("paragraphs", "line-end-hyphens"), assigns=("joined-hyphens",),
           labels={"hyphen.compound": "lines joined"}, settings=None)
    def run(text: str, ctx: Context) -> StageResult: ...

- requires / assigns: properties of the text (e.g. layout assigns "paragraphs" and
  leaves "line-end-hyphens" for hyphenation). config/pipeline.toml's order is refused
  when a stage comes before the stage that assigns what it requires.
- leaves: facts it writes to ctx.facts for later stages and reports/witnesses.json.
- kinds: the edit kinds it emits; labels: rule id -> what the change did, in words a
  proofreader knows (the reports take layout labels from here).
- settings: a pydantic model (extra="forbid") of its policy table ([default.<name>] ...
  in config/policy.toml, and [<name>] in config/pipeline.toml), validated before a run.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
import typing
from dataclasses import dataclass, field
from typing import Callable

from pydantic import BaseModel, ConfigDict, create_model

from pipeline.errors import EditionError


class Settings(BaseModel):
    """Base of a stage's settings: every key is declared; an unknown one is an error."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    leaves: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    settings: type[Settings] = Settings
    doc: str = ""


REGISTRY: dict[str, Stage] = {}


def stage(name: str, *, requires: tuple[str, ...] = (), assigns: tuple[str, ...] = (), leaves: tuple[str, ...] = (),
          kinds: tuple[str, ...] = (), labels: dict[str, str] | None = None,
          settings: type = Settings) -> Callable:
    """Register a stage's run function under `name` (a decorator). `settings` is a Settings
    model, or a plain dataclass whose fields (with their types and defaults) become one."""
    if dataclasses.is_dataclass(settings):
        hints = typing.get_type_hints(settings)
        settings = create_model(settings.__name__, __base__=Settings, __doc__=settings.__doc__,
                                **{f.name: (hints[f.name], f.default) for f in dataclasses.fields(settings)})

    def register(fn: Callable) -> Callable:
        module = importlib.import_module(fn.__module__)
        doc = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        REGISTRY[name] = Stage(name, fn, tuple(requires), tuple(assigns), tuple(leaves), tuple(kinds),
                               dict(labels or {}), settings, doc)
        return fn
    return register


def settings(name: str, ctx) -> Settings:
    """The typed settings of stage `name` for a witness: its [<name>] table of config/pipeline.toml,
    then its merged policy table (default -> language -> files -> witness).

    >>> # in pipeline/stages/spacing.py:  st = settings("spacing", ctx); st.remove_space_before
    """
    merged = {**ctx.resources.config.get(name, {}), **ctx.policy.get(name, {})}
    return get(name).settings.model_validate(merged)


def get(name: str, where: str = "config/pipeline.toml") -> Stage:
    """The declared stage `name` (importing pipeline/stages/<name>.py)."""
    if name not in REGISTRY:
        try:
            importlib.import_module(f"pipeline.stages.{name}")
        except ModuleNotFoundError:
            raise EditionError(where, f"unknown stage {name!r} (no module pipeline/stages/{name}.py)") from None
        if name not in REGISTRY:
            raise EditionError(where, f"pipeline/stages/{name}.py declares no stage (@stage({name!r}, ...))")
    return REGISTRY[name]


def ordered(names: list[str], where: str = "config/pipeline.toml", line: int | None = None) -> list[Stage]:
    """The stages in the configured order; a stage before one whose output it requires is refused."""
    stages = [get(n, where) for n in names]
    assigned: dict[str, str] = {}
    for s in stages:
        for need in s.requires:
            if need not in assigned:
                by = [o.name for o in stages if need in o.assigns]
                hint = f"put {by[0]!r} before it" if by else "no configured stage assigns it"
                raise EditionError(where, f"stage {s.name!r} requires {need!r}: {hint}", line=line)
        for a in s.assigns:
            assigned.setdefault(a, s.name)
    return stages


def every_stage() -> list[Stage]:
    """Every stage of pipeline/stages/, declared (configured or not)."""
    for m in pkgutil.iter_modules(__path__):
        get(m.name, f"pipeline/stages/{m.name}.py")
    return sorted(REGISTRY.values(), key=lambda s: s.name)


@functools.cache
def labels() -> dict[str, str]:
    """rule id -> label, as every stage declares them (for the reports; read once)."""
    return {rule: label for s in every_stage() for rule, label in s.labels.items()}
