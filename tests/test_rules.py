"""Correction rules (rules/*.toml): the project's rules pass their examples, and a bad
rule file is refused with its file, line and field."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import EditionError
from pipeline.rules import Rule, RuleSpec, check_regex, find_hits, load_rule_file, load_rules, run_rule_tests

ROOT = Path(__file__).resolve().parent.parent
GOOD = '''
[[rule]]
id = "x.tile"
match = "rank and tile"
replacement = "rank and file"
scope = ["kollontai-en-dreadnought"]
kind = "scanno"
note = "f read as t"
must_change = ["the rank and tile => the rank and file"]
must_not_change = ["a tile floor"]
'''


def write(tmp_path: Path, body: str, name: str = "a.toml") -> Path:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    p = d / name
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def test_every_project_rule_passes_its_examples():
    """`edition rules test` in CI: every rule changes what it must and spares what it must."""
    failed = {k: v for k, v in run_rule_tests(ROOT).items() if v}
    assert not failed, failed


def test_a_real_word_rule_without_a_counterexample_fails_its_test():
    """A rule whose damaged reading is made of real words ("the" -> "tho") can change correct
    text elsewhere: without a must_not_change example `rules test` fails it; a non-word one passes."""
    from pipeline.rules import test_rule
    real = RuleSpec(id="t.the", match="the", replacement="tho", scope=["*"], kind="scanno", note="n",
                    must_change=["the end => tho end"])
    assert test_rule(Rule(real, Path("rules/t.toml"), 1)) == ["real-word rule without a must_not_change example"]
    guarded = real.model_copy(update={"must_not_change": ["then"]})
    assert test_rule(Rule(guarded, Path("rules/t.toml"), 1)) == []
    nonword = RuleSpec(id="t.awav", match="awav", replacement="away", scope=["*"], kind="scanno", note="n",
                       must_change=["carried awav => carried away"])
    assert test_rule(Rule(nonword, Path("rules/t.toml"), 1)) == []


def test_rules_test_command_exits_zero(capsys):
    assert main(["--root", str(ROOT), "rules", "test", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["failed"] == {} and out["rules"] > 50


def test_literal_match_crosses_line_breaks_and_is_word_bounded():
    spec = RuleSpec(id="t", match="rank and tile", replacement="rank and file", scope=["*"], kind="scanno",
                    note="n", must_change=["x"])
    r = Rule(spec, Path("rules/t.toml"), 1)
    assert [h[:2] for h in r.hits("the rank and\ntile of it")] == [(4, 17)]
    assert r.hits("frank and tiles") == []


def test_context_keeps_the_real_word_elsewhere():
    rules = load_rules(ROOT)
    r = next(x for x in rules if x.id == "dn.apportion")
    assert find_hits([r], "During the summer, the apportion did not assert itself")
    assert not find_hits([r], "Parliament voted to apportion the funds")


def test_syntax_error_names_file_and_line(tmp_path):
    p = write(tmp_path, GOOD + "\n[[rule]]\nid = \"broken\n")
    with pytest.raises(EditionError) as e:
        load_rule_file(p)
    assert "a.toml" in str(e.value) and e.value.line is not None and "syntax" in str(e.value)


def test_unknown_field_names_line_and_field(tmp_path):
    p = write(tmp_path, GOOD.replace('kind = "scanno"', 'kind = "scanno"\ncolour = "red"'))
    with pytest.raises(EditionError) as e:
        load_rule_file(p)
    assert "colour" in str(e.value) and e.value.line == GOOD.splitlines().index('kind = "scanno"') + 2


def test_bad_kind_and_missing_examples_are_refused(tmp_path):
    with pytest.raises(EditionError, match="kind"):
        load_rule_file(write(tmp_path, GOOD.replace('"scanno"', '"whatever"')))
    with pytest.raises(EditionError, match="must_change"):
        load_rule_file(write(tmp_path, GOOD.replace('must_change = ["the rank and tile => the rank and file"]', "")))


def test_bad_regex_is_refused(tmp_path):
    bad = GOOD.replace('match = "rank and tile"', 'match = "rank (and"\nregex = true')
    with pytest.raises(EditionError, match="bad regex"):
        load_rule_file(write(tmp_path, bad))


def test_runaway_regex_is_refused_statically(tmp_path):
    bad = GOOD.replace('match = "rank and tile"', "match = '(\\w+\\s?)*tile'\nregex = true")
    with pytest.raises(EditionError, match="nested quantifier"):
        load_rule_file(write(tmp_path, bad))
    with pytest.raises(ValueError):
        check_regex(r"(a+)+b")


def test_runaway_regex_that_passes_the_static_check_is_stopped_by_the_timeout():
    spec = RuleSpec(id="slow", match="(a|aa)+b", regex=True, word=False, replacement="", scope=["*"], kind="typo",
                    note="n", must_change=["ab"])
    r = Rule(spec, Path("rules/slow.toml"), 3)
    with pytest.raises(EditionError, match="slow"):
        r.hits("a" * 80)


def test_two_rules_claiming_one_span_is_an_error_naming_both(tmp_path):
    other = GOOD.replace('"x.tile"', '"x.tile2"').replace('match = "rank and tile"', 'match = "and tile"') \
                .replace('"rank and file"', '"and file"', 1)
    write(tmp_path, GOOD + other)
    rules = load_rules(tmp_path)
    with pytest.raises(EditionError) as e:
        find_hits(rules, "the rank and tile")
    assert "x.tile" in str(e.value) and "x.tile2" in str(e.value)


def test_duplicate_ids_are_refused(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(EditionError, match="already used"):
        load_rules(tmp_path)


def test_rules_check_lists_hits_with_raw_line_numbers(capsys):
    assert main(["--root", str(ROOT), "rules", "check", "--json", "--rule", "dn.rank-and-tile"]) == 0
    out = json.loads(capsys.readouterr().out)
    hits = out["dn.rank-and-tile"]["hits"]
    raw = (ROOT / "raw" / "kollontai-en-dreadnought.txt").read_text(encoding="utf-8").splitlines()
    assert hits and "tile" in raw[hits[0]["line"] - 1]


def test_rules_add_shows_hits_and_writes_a_valid_rule(tmp_path, capsys):
    target = tmp_path / "local.toml"
    code = main(["--root", str(ROOT), "rules", "add", "carried awav", "carried away", "--id", "t.awav",
                 "--file", str(target), "--yes", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["hits"] and out["hits"][0]["witness"] == "lenin-trade-unions"
    (r,) = load_rule_file(target)
    assert r.id == "t.awav" and r.spec.scope == ["lenin-trade-unions"]


def test_cli_refuses_a_broken_rule_file_with_one_line(tmp_path):
    (tmp_path / "raw").mkdir()
    write(tmp_path, GOOD.replace('kind = "scanno"', 'kind = "scanno"\nfoo = 1'))
    from conftest import edition  # in-process: the exit code and stderr are what is checked
    r = edition(tmp_path, "rules", "test")
    assert r.returncode == 2 and "foo" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_rules_check_flags_rules_with_no_hit_and_with_many(tmp_path, capsys):
    from conftest import make_project
    project = make_project(tmp_path)
    for p in (project / "rules").glob("*.toml"):
        if p.name != "names.toml":
            p.unlink()
    write(project, GOOD.replace('"x.tile"', '"x.nothing"').replace("rank and tile", "zzqx never here")
          + GOOD.replace('"x.tile"', '"x.the"').replace('match = "rank and tile"', 'match = "the"')
          .replace('"rank and file"', '"the"', 1).replace("the rank and tile => the rank and file", "the"))
    assert main(["--root", str(project), "rules", "check", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["x.nothing"]["flag"] == "no hit"
    assert "suspiciously many" in out["x.the"]["flag"]


def test_validated_rules_are_kept_by_content_in_the_user_cache(tmp_path, monkeypatch):
    """load_rules reads a rule file's rules, validated and compiled, from the user cache
    (cache.kept_pickle) when the file's bytes and the code are the same: the same rules, each
    naming its own file (a copied project's too); a file with a problem is refused every time."""
    import pipeline.rules as rules_module
    monkeypatch.setenv("EDITION_CACHE", str(tmp_path / "cache"))
    for sub in "abc":
        (tmp_path / sub).mkdir()
    write(tmp_path / "a", GOOD)
    first = load_rules(tmp_path / "a")
    assert list((tmp_path / "cache").glob("rules-*.pickle"))
    write(tmp_path / "b", GOOD)
    monkeypatch.setattr(rules_module, "load_rule_file", lambda *a: pytest.fail("validated again"))
    kept = load_rules(tmp_path / "b")
    assert [r.spec for r in kept] == [r.spec for r in first] and kept[0].line == first[0].line
    assert kept[0].path == tmp_path / "b" / "rules" / "a.toml" != first[0].path
    assert [(h.start, h.end, h.replacement) for h in find_hits(kept, "the rank and tile")] == [(4, 17, "rank and file")]
    monkeypatch.undo()
    monkeypatch.setenv("EDITION_CACHE", str(tmp_path / "cache"))
    write(tmp_path / "c", GOOD.replace('kind = "scanno"', 'kind = "nonsense"'))
    for _ in range(2):
        with pytest.raises(EditionError, match="kind"):
            load_rules(tmp_path / "c")
