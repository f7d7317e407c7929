"""Sizes: Datazilla's size_mb form, and the bytes DynamoDB bills an item at."""

from __future__ import annotations

import pytest

from chalicelib.datazilla.db_size import project_databases, size_mb
from chalicelib.store.item_size import item_bytes, read_units, write_units


@pytest.mark.parametrize("num_bytes, expected", [
    (0, "0.00"),
    (5242, "0.00"),  # 0.004999... MB
    (5243, "0.01"),
    (131072, "0.13"),  # exactly 0.125 MB: MySQL's ROUND of an exact value goes away from zero (Python's would not)
    (1048576, "1.00"),
    (1048576 * 1536 + 10, "1536.00"),
])
def test_given_bytes_when_formatted_then_mb_to_two_decimals_as_mysql_rounded_them(num_bytes, expected):
    assert size_mb(num_bytes) == expected


def test_given_a_project_when_its_databases_are_listed_then_both_are_named_as_datazilla_named_them():
    assert project_databases("talos", 131072, 0) == [
        {"db_name": "talos_objectstore_1", "size_mb": "0.13"}, {"db_name": "talos_perftest_1", "size_mb": "0.00"}]


def test_given_an_item_when_sized_then_names_and_values_count_as_dynamodb_documents():
    # "abc" 3 + name 4; number 123.45: 5 significant digits -> 3 bytes + 1; bool 1; null 1
    assert item_bytes({"name": {"S": "abc"}}) == 7
    assert item_bytes({"n": {"N": "123.45"}}) == 1 + 4
    assert item_bytes({"n": {"N": "-0.000100"}}) == 1 + 2  # zeros trimmed, one significant digit
    assert item_bytes({"b": {"BOOL": True}, "z": {"NULL": True}}) == 4
    # list and map: 3 bytes each, plus 1 per element
    assert item_bytes({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}) == 1 + 3 + (2 + 1) + (2 + 1)
    assert item_bytes({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)


def test_given_sizes_when_capacity_is_computed_then_units_start_per_kb_and_per_4kb():
    assert [write_units(s) for s in (1, 1024, 1025, 30_000)] == [1, 1, 2, 30]
    assert read_units(4096, consistent=True) == 1.0 and read_units(4097, consistent=True) == 2.0
    assert read_units(100, consistent=False) == 0.5
