"""The bounded JSON, YAML and CSV readers: each finding of issue 19 reproduced, refused
quickly, with memory flat (the bombs run in a subprocess under an address-space ceiling)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from lca_models.errors import InputLimitError, InputTooLarge, MalformedInput
from lca_models.safe_load import InputLimits, csv_records, load_json, load_yaml, using_limits
from tests.bombs import billion_laughs, run_bounded

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


# ---- JSON


def test_duplicate_member_names_are_refused_naming_key_and_path():
    with pytest.raises(MalformedInput) as caught:
        load_json('{"goods": [{"cn_code": "72081000", "name": "x", "name": "y"}]}')
    assert caught.value.errors == {"goods[0]": ["duplicate member name 'name'"]}
    with pytest.raises(MalformedInput, match="duplicate member name 'a'"):
        load_json('{"a": 1, "a": 1}')  # even with the same value


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_nesting_is_a_limit_not_a_recursion_error(depth):
    started = time.perf_counter()
    with pytest.raises(InputLimitError) as caught:
        load_json("[" * depth + "]" * depth)
    assert caught.value.limit == "max_depth" and caught.value.maximum == 64
    assert time.perf_counter() - started < 2
    assert load_json("[" * 64 + "]" * 64) is not None  # the limit itself is allowed


def test_brackets_inside_strings_do_not_count_as_depth():
    assert load_json('{"a": "[[[[{{{{' + "[" * 100 + '", "b": "\\"[["}') == {
        "a": "[[[[{{{{" + "[" * 100, "b": '"[['}


@pytest.mark.parametrize(("text", "message"), [
    ("[NaN]", "NaN is not a JSON number"), ("[-Infinity]", "-Infinity is not"),
    ("[1e999]", "out of range"), ("1" * 5000, "malformed JSON"),
    ('{"a": 1', "malformed JSON at line 1"), (b"\xff", "not UTF-8")])
def test_not_json_numbers_and_syntax_are_malformed_input(text, message):
    with pytest.raises(MalformedInput, match=message):
        load_json(text)


def test_strings_and_documents_over_the_limits():
    limits = InputLimits(max_string_chars=10, max_document_bytes=100)
    with pytest.raises(InputLimitError) as caught:
        load_json('{"a": {"b": ["' + "x" * 11 + '"]}}', limits)
    assert (caught.value.limit, caught.value.where) == ("max_string_chars", "a.b[0]")
    with pytest.raises(InputLimitError, match="member name"):
        load_json('{"' + "k" * 11 + '": 1}', limits)
    with pytest.raises(InputTooLarge) as too_large:
        load_json("[" + "1," * 60 + "1]", limits)
    assert too_large.value.limit == "max_document_bytes"
    # the limits in force for the context, when none are passed
    with using_limits(limits), pytest.raises(InputLimitError):
        load_json('["' + "x" * 11 + '"]')
    assert load_json('["' + "x" * 11 + '"]') == ["x" * 11]


# ---- YAML


def test_the_c_loader_is_used_and_reads_every_example_like_safe_load():
    from lca_models import safe_load

    assert safe_load.WITH_LIBYAML and yaml.__with_libyaml__, "PyYAML without libyaml"
    assert "CParser" in [c.__name__ for c in safe_load._BoundedLoader.__mro__]
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        text = path.read_text("utf-8")
        assert load_yaml(text) == yaml.safe_load(text), path


def test_billion_laughs_is_refused_quickly_with_flat_memory():
    """10**9 strings expanded from 531 bytes: refused at the node limit, in a process that
    may not grow beyond 512 MiB (an expanding reader needs tens of gigabytes)."""
    bomb = billion_laughs()
    assert len(bomb) < 1000
    result = run_bounded(f"""
        from lca_models.safe_load import load_yaml
        from lca_models.errors import InputLimitError
        started = time.perf_counter()
        try:
            load_yaml({bomb!r})
            outcome = "loaded"
        except InputLimitError as exc:
            outcome = exc.limit
        peak = peak_mib()
        print(json.dumps({{"outcome": outcome, "seconds": time.perf_counter() - started,
                           "peak_mib": peak}}))
    """, memory_mib=512)
    assert result["outcome"] == "max_yaml_nodes"
    assert result["seconds"] < 2
    assert result["peak_mib"] < 64


def test_alias_count_and_expansion_limits():
    few = "a: &a [1, 2]\nb: [*a, *a, *a]\n"
    assert load_yaml(few) == {"a": [1, 2], "b": [[1, 2]] * 3}
    with pytest.raises(InputLimitError) as caught:
        load_yaml(few, InputLimits(max_yaml_aliases=2))
    assert caught.value.limit == "max_yaml_aliases" and "line 2" in str(caught.value)
    # a + b's three expanded copies: 1 root + (1 key + 3 nodes) + (1 key + 1 + 3 * 3) = 16
    with pytest.raises(InputLimitError, match="15 nodes"):
        load_yaml(few, InputLimits(max_yaml_nodes=15))
    assert load_yaml(few, InputLimits(max_yaml_nodes=16))["b"][2] == [1, 2]


def test_a_self_referencing_alias_is_refused_not_a_cycle():
    with pytest.raises(MalformedInput, match=r"alias \*a refers to a node that contains it"):
        load_yaml("installation: &a {name: x, self: *a}\n")


def test_depth_counts_expanded_aliases():
    deep = "a: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n"
    with pytest.raises(InputLimitError, match="64 levels"):
        load_yaml(deep)
    with pytest.raises(InputLimitError, match="64 levels"):
        load_yaml("a:\n" + "".join(" " * i + "-\n" for i in range(1000)))
    with pytest.raises(InputLimitError, match="64 levels"):
        load_yaml("a: " + "[" * 500 + "]" * 500)
    # libyaml refuses flow collections over 1,000 deep itself; either way a clear refusal
    with pytest.raises((InputLimitError, MalformedInput), match=r"nesting depth|64 levels"):
        load_yaml("a: " + "[" * 1000 + "]" * 1000)


def test_duplicate_keys_are_refused_but_merge_keys_still_override():
    with pytest.raises(MalformedInput, match=r"line 3 .*duplicate key 'name'"):
        load_yaml("product:\n  name: real\n  name: fake\n")
    merged = load_yaml("base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  x: 3\n")
    assert merged["item"] == {"x": 3, "y": 2}


def test_yaml_string_limit_names_the_path():
    with pytest.raises(InputLimitError) as caught:
        load_yaml("goods:\n  - name: " + "x" * 20 + "\n", InputLimits(max_string_chars=10))
    assert caught.value.where == "goods[0].name"


# ---- CSV


def test_csv_rows_columns_and_cells_are_capped():
    limits = InputLimits(max_rows=3, max_columns=4, max_cell_chars=5)
    assert [line for line, _ in csv_records("a,b\n1,2\n3,4\n", limits)] == [1, 2, 3]
    with pytest.raises(InputLimitError, match="line 4"):
        list(csv_records("a\n1\n2\n3\n", limits))
    with pytest.raises(InputLimitError) as wide:
        list(csv_records("a,b,c,d,e\n", limits))
    assert wide.value.limit == "max_columns"
    with pytest.raises(InputLimitError) as long:
        list(csv_records('a\n"123456"\n', limits))
    assert (long.value.limit, long.value.where) == ("max_cell_chars", "line 2")


def test_readme_and_security_doc_list_every_limit():
    from dataclasses import fields

    repo = Path(__file__).resolve().parents[2]
    readme = (repo / "README.md").read_text("utf-8")
    for f in fields(InputLimits):
        assert f"`CARBONLABEL_{f.name.upper()}` | `{f.default}`" in readme, f.name
    assert "## Input limits" in (repo / "docs" / "security.md").read_text("utf-8")


def test_a_partners_pact_body_with_a_duplicate_name_is_not_read():
    """A partner answering `{"data": [fake], "data": [real]}` gets no data read from it."""
    import httpx

    from lca_models.pact_client import _json_or_none

    request = httpx.Request("GET", "https://partner.example/3/footprints")
    twice = httpx.Response(200, content=b'{"data": [1], "data": []}', request=request)
    once = httpx.Response(200, content=b'{"data": []}', request=request)
    assert _json_or_none(twice) is None
    assert _json_or_none(once) == {"data": []}
