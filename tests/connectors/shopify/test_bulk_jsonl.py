"""Reading a bulk operation's JSONL file: lines whole across chunks, lines after their order."""

from __future__ import annotations

import json

import pytest

from connectors.shopify.bulk import _jsonl_orders, _lines

ROWS = [
    {"id": "gid://shopify/Order/1", "name": "#1001"},
    {"id": "gid://shopify/LineItem/1", "__parentId": "gid://shopify/Order/1"},
    {"id": "gid://shopify/LineItem/2", "__parentId": "gid://shopify/Order/1"},
    {"id": "gid://shopify/Order/2", "name": "#1002 — ünïcode"},
    {"id": "gid://shopify/Order/3", "name": "#1003"},
    {"id": "gid://shopify/LineItem/3", "__parentId": "gid://shopify/Order/3"},
]
FILE = "\n".join(json.dumps(row, ensure_ascii=False) for row in ROWS).encode() + b"\n"


@pytest.mark.parametrize("size", [1, 2, 7, 64, len(FILE), len(FILE) + 10])
def test_lines_are_whole_whatever_the_chunks(size):
    chunks = (FILE[i : i + size] for i in range(0, len(FILE), size))
    assert list(_lines(chunks)) == FILE.splitlines()


def test_a_last_line_without_its_end_is_read():
    assert list(_lines(iter([b'{"a": 1}\n{"b"', b": 2}"]))) == [b'{"a": 1}', b'{"b": 2}']


def test_orders_come_with_their_lines():
    grouped = list(_jsonl_orders(_lines(iter([FILE]))))
    assert [(order["name"], [item["id"][-1] for item in items]) for order, items in grouped] == [
        ("#1001", ["1", "2"]),
        ("#1002 — ünïcode", []),
        ("#1003", ["3"]),
    ]
