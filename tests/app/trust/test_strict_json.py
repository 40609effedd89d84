"""The strict reader of outside JSON: duplicate member names and NaN/Infinity are refused."""

from __future__ import annotations

import pytest

from app.trust.strict_json import StrictJsonError, loads


def test_plain_json_reads_as_json_loads_would():
    assert loads('{"a": [1, 2.5, {"b": null}], "c": "x"}') == {"a": [1, 2.5, {"b": None}],
                                                               "c": "x"}
    assert loads(b'{"same": 1, "nested": {"same": 2}}') == {"same": 1, "nested": {"same": 2}}


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": 1, "a": 2}', "duplicate member name 'a'"),
    ('{"x": {"kg": 1.0, "kg": 0.5}}', "duplicate member name 'kg'"),
    ('[{"id": "a"}, {"id": "b", "id": "c"}]', "duplicate member name 'id'"),
    ('{"v": NaN}', "NaN is not a JSON number"),
    ('{"v": -Infinity}', "-Infinity is not a JSON number"),
])
def test_non_i_json_is_refused_naming_the_problem(text, message):
    with pytest.raises(StrictJsonError, match=message):
        loads(text)
