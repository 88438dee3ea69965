"""Configuration is validated before any work: config/pipeline.toml (stage order, stage
settings), every layer of config/policy.toml, rule scopes; stages declare themselves."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.context import Context, Resources
from pipeline.stages import every_stage, get, settings
from tests.conftest import copy_project, edition, make_project


def one_line_error(root: Path, *args: str) -> str:
    r = edition(root, *args)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert not (root / "clean").exists()  # nothing written
    return lines[0]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize("table, key_line, needle", [
    ("[witness.kollontai-en-iww.layout]", 'modee = "lines"', "unknown key 'modee'"),
    ("[default.layout]", 'base_gap = "two"', "key 'base_gap'"),
    ("[language.ru.typography]", 'quotes = "angled"', "key 'quotes'"),
])
def test_a_bad_policy_key_is_one_line_with_file_line_and_key(tmp_path, table, key_line, needle):
    root = make_project(tmp_path)
    policy = root / "config" / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    assert f"\n{table}\n" in text
    policy.write_text(text.replace(f"\n{table}\n", f"\n{table}\n{key_line}\n", 1), encoding="utf-8")
    err = one_line_error(root, "run", "--quiet")
    assert f"config/policy.toml:{line_of(policy, key_line)}:" in err and needle in err and table in err


@pytest.mark.parametrize("header, needle", [
    ("[default.layuot]", "unknown stage 'layuot'"),
    ("[witness.kollontai-en-iwv.names]", "no witness 'kollontai-en-iwv'"),
    ("[language.fr.typography]", "unknown language"),
    ("[defaults.names]", "unknown policy layer [defaults]"),
])
def test_a_misspelt_policy_table_is_an_error(tmp_path, header, needle):
    root = make_project(tmp_path)
    policy = root / "config" / "policy.toml"
    policy.write_text(policy.read_text(encoding="utf-8") + f"\n{header}\nmode = \"report\"\n", encoding="utf-8")
    err = one_line_error(root, "run", "--quiet")
    assert f"config/policy.toml:{line_of(policy, header)}:" in err and needle in err


def test_a_stage_before_the_one_it_requires_is_refused(tmp_path):
    root = make_project(tmp_path)
    cfg = root / "config" / "pipeline.toml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace('"layout", "notes", "hyphenation"', '"hyphenation", "layout", "notes"'), encoding="utf-8")
    err = one_line_error(root, "run", "--quiet")
    assert "config/pipeline.toml" in err
    assert "stage 'hyphenation' requires 'line-end-hyphens': put 'layout' before it" in err


def test_a_bad_stage_setting_in_pipeline_toml_names_its_line(tmp_path):
    root = make_project(tmp_path)
    cfg = root / "config" / "pipeline.toml"
    text = cfg.read_text(encoding="utf-8")
    assert re.search(r"^auto_threshold\s*=", text, re.M)
    cfg.write_text(re.sub(r"^auto_threshold(\s*=)", r"auto_treshold\1", text, count=1, flags=re.M), encoding="utf-8")
    err = one_line_error(root, "run", "--quiet")
    assert f"config/pipeline.toml:{line_of(cfg, 'auto_treshold')}:" in err and "unknown key 'auto_treshold'" in err


def test_an_unknown_stage_is_refused(tmp_path):
    root = make_project(tmp_path)
    cfg = root / "config" / "pipeline.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('"names", "detect"', '"names", "detekt"'), encoding="utf-8")
    err = one_line_error(root, "run", "--quiet")
    assert "config/pipeline.toml" in err and "unknown stage 'detekt'" in err


def test_a_rule_scoped_to_an_unknown_witness_stops_the_run(tmp_path):
    root = make_project(tmp_path)
    rules = root / "rules" / "lenin.toml"
    text = rules.read_text(encoding="utf-8")
    scope = re.search(r'scope = \["lenin-trade-unions"\]', text)
    assert scope
    rules.write_text(text.replace(scope.group(), 'scope = ["lenin-trade-union"]', 1), encoding="utf-8")
    err = one_line_error(root, "run", "--quiet")
    assert "rules/lenin.toml" in err and "unknown witness or language 'lenin-trade-union'" in err


def test_stages_declare_what_they_need_and_leave():
    layout, hyphenation = get("layout"), get("hyphenation")
    assert "line-end-hyphens" in layout.assigns and "line-end-hyphens" in hyphenation.requires
    assert "layout" in layout.leaves and layout.labels["layout.page-break"] == "page break"
    for s in every_stage():
        assert s.settings.model_config.get("extra") == "forbid", s.name


def test_edition_stages_lists_the_configured_stages_with_their_settings(tmp_path):
    root = make_project(tmp_path)
    r = edition(root, "stages", "--json")
    assert r.returncode == 0, r.stderr
    stages = json.loads(r.stdout)["stages"]
    names = [s["name"] for s in stages]
    assert names[:3] == ["decode", "columns", "layout"] and names.index("layout") < names.index("hyphenation")
    layout = stages[2]
    assert layout["settings"]["mode"]["default"] == "auto" and "paragraphs" in layout["assigns"]
    r = edition(root, "stages")
    assert r.returncode == 0 and "requires: line-end-hyphens" in r.stdout


def test_edition_report_reads_the_written_outputs(built, tmp_path):
    """`edition report` renders from the change log and queries the run wrote; it cleans nothing."""
    root = copy_project(built.root, tmp_path / "p")
    wid = "lenin-trade-unions"
    r = edition(root, "report", wid, "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    log = (root / "clean" / f"{wid}.changes.jsonl").read_text(encoding="utf-8").splitlines()
    assert s["changes"] == len(log) == len(built.cleaned[wid].changes)
    assert s["open_queries"] == len(built.cleaned[wid].queries)
    (root / "clean" / f"{wid}.changes.jsonl").unlink()
    r = edition(root, "report", wid)
    assert r.returncode == 2 and "run `edition run` first" in r.stderr


def test_a_stage_reads_its_settings_typed(corpus):
    """settings(name, ctx): the witness's merged policy table as the stage's model."""
    res = Resources(Path(__file__).resolve().parent.parent)
    iww = corpus.get("kollontai-en-iww")
    st = settings("layout", Context(iww, res, res.policy(iww)))
    assert isinstance(st, get("layout").settings)
    assert (st.mode, st.furniture) == (res.policies["witness"]["kollontai-en-iww"]["layout"]["mode"],
                                       res.policies["witness"]["kollontai-en-iww"]["layout"]["furniture"])
    ru = next(w for w in corpus.witnesses if w.language == "ru")
    assert settings("typography", Context(ru, res, res.policy(ru))).dash_text == \
        res.policies["language"]["ru"]["typography"]["dash_text"]
    assert settings("detect", Context(ru, res, res.policy(ru))).auto_threshold == res.config["detect"]["auto_threshold"]
