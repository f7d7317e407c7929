"""Growing DynamoDB tables to tens of thousands of items without a request per item.

Access-pattern tests measure a read, grow the tables, and measure it again. To
reach 50,000 items cheaply, the items already stored are copied straight into
moto's tables with their partition keys moved aside: every string hash key (the
table's and each global index's) gets a suffix, every numeric one an offset. The
copies are real items of the same shape in other partitions: a read whose call
count depends on table size sees them; a read that asks its own partition for
its own keys does not.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from chalicelib import config

OFFSET = 10**12  # numeric hash keys of copy i are moved by (i + 1) * OFFSET


def _hash_keys(table: Any) -> list[str]:
    keys = [table.hash_key_attr]
    for index in table.global_indexes:
        keys += [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    return list(dict.fromkeys(keys))


def grow(logical_tables: list[str], items: int) -> int:
    """Copy each table's items into other partitions until it holds about ``items``; returns items added."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][config.region()]
    added = 0
    for logical in logical_tables:
        table = backend.get_table(config.table_name(logical))
        originals = [item.to_json()["Attributes"] for item in table.all_items()]
        if not originals:
            continue
        keys = _hash_keys(table)
        copies = max(0, -(-(items - len(originals)) // len(originals)))
        for i in range(copies):
            for original in originals:
                moved = copy.deepcopy(original)
                for key in keys:
                    value = moved.get(key)
                    if value is None:
                        continue
                    if "S" in value:
                        value["S"] = f"{value['S']}~grown{i}"
                    elif "N" in value:
                        value["N"] = str(int(float(value["N"])) + (i + 1) * OFFSET)
                table.put_item(moved)
                added += 1
    return added
