"""Bulk query operations: run a query over every record and write the result as JSONL.

https://shopify.dev/docs/api/usage/bulk-operations/queries: ``bulkOperationRunQuery`` takes
a query without page sizes; one operation per shop at a time; the result is a JSONL file,
one object per line, where nodes of a nested connection are lines of their own carrying
``__parentId``; ``bulk_operations/finish`` announces the end, and ``bulkOperation(id:)``
gives the status, ``objectCount`` and the file's ``url``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, TextIO

from graphql import GraphQLError, parse
from graphql.language import FieldNode

from sandbox.shopify.connections import gid
from sandbox.shopify.executor import Operation, QueryError, View
from sandbox.shopify.graphql_api import QUERIES, Context
from sandbox.shopify.payloads import bulk_finish_payload
from sandbox.shopify.state import BulkOperation, Shop, next_id, utcnow
from sandbox.shopify.views import iso


class _Unbounded(Operation):
    """An operation whose connections return every node (bulk queries have no page size)."""

    def arguments(self, node: FieldNode) -> dict[str, Any]:
        args = super().arguments(node)
        if "first" not in args and "last" not in args:
            args.update(first=10**9, __unbounded=True)
        return args


def bulk_operation_view(operation: BulkOperation) -> View:
    """A ``BulkOperation``."""
    return {
        "__typename": "BulkOperation",
        "id": gid("BulkOperation", operation.id),
        "status": operation.status,
        "type": "QUERY",
        "query": operation.query,
        "objectCount": str(operation.object_count),
        "rootObjectCount": str(operation.object_count),
        "url": operation.url,
        "partialDataUrl": None,
        "errorCode": operation.error_code,
        "createdAt": iso(operation.created_at),
        "completedAt": iso(operation.completed_at),
    }


def start(ctx: Context, query_text: str) -> BulkOperation:
    """Validate and start a bulk query in the background; return its record."""
    shop = ctx.shop
    if any(op.status in ("CREATED", "RUNNING") for op in shop.bulk_operations.values()):
        raise ValueError("A bulk query operation for this app and shop is already in progress.")
    try:
        operation = Operation.select(parse(query_text), None, None)
    except (GraphQLError, QueryError) as exc:
        raise ValueError(f"Invalid bulk query: {exc}") from exc
    record = BulkOperation(id=next_id(), query=query_text)
    shop.bulk_operations[record.id] = record
    record.url = f"{ctx.base_url}/_sandbox/bulk/{record.id}.jsonl"
    path = Path(ctx.emulator.bulk_dir) / f"{record.id}.jsonl"
    unbounded = _Unbounded(operation.definition, operation.fragments, {})
    worker = threading.Thread(target=_run, args=(ctx, record, unbounded, path), daemon=True)
    worker.start()
    return record


def _run(ctx: Context, record: BulkOperation, operation: Operation, path: Path) -> None:
    shop: Shop = ctx.shop
    record.status = "RUNNING"
    try:
        with path.open("w") as out:
            for root in operation.root_fields():
                with shop.lock:
                    value = QUERIES[root.name.value](ctx, operation.arguments(root))
                    data, _ = operation.project(value, root)
                edges = data.get("edges")
                nodes = [e["node"] for e in edges] if edges is not None else data.get("nodes") or []
                for node in nodes:
                    record.object_count += _write(out, node, None)
        record.status = "COMPLETED"
    except (QueryError, KeyError):
        record.status, record.error_code = "FAILED", "INTERNAL_SERVER_ERROR"
        record.url = None
    record.completed_at = utcnow()
    ctx.emulator.emit(shop, "bulk_operations/finish", bulk_finish_payload(record))


def _write(out: TextIO, node: dict[str, Any], parent_id: str | None) -> int:
    """Write ``node`` and, after it, its nested connections' nodes; return lines written."""
    line = dict(node)
    children: list[dict[str, Any]] = []
    for key, value in node.items():
        if isinstance(value, dict) and ("edges" in value or "nodes" in value):
            del line[key]
            if "edges" in value:
                children.extend(edge["node"] for edge in value["edges"] or [])
            else:
                children.extend(value["nodes"] or [])
    if parent_id is not None:
        line["__parentId"] = parent_id
    out.write(json.dumps(line) + "\n")
    return 1 + sum(_write(out, child, node.get("id")) for child in children)
