"""Every job is listed once, in ``worker.jobs_table``, and runs without the web app."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rq.job import Job

from worker.jobs_table import JOBS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "connectors", "worker", "webapp")
TABLE = ROOT / "worker" / "jobs_table.py"
# A worker process: its command, its loop, the schedule, and every job it may be handed.
WORKER_PROCESS = ["worker.cli", "worker.runner", "worker.schedule"]
NOT_JOBS = {"worker.retry.park_current_job"}  # what a job calls on itself, not a job


def _job_functions() -> list[str]:
    """The import path of every function the worker defines as a job (named ``*_job``)."""
    found = []
    for path in sorted((ROOT / "worker").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            f"{module}.{node.name}"
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_job")
        ]
    return sorted(set(found) - NOT_JOBS)


def _dotted_job_paths(path: Path) -> list[str]:
    """String constants in a module that name a job function by its path."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.endswith("_job")
        and node.value.count(".") >= 1
        and node.value.split(".", 1)[0] in PACKAGES
    ]


def test_every_job_function_of_the_worker_is_in_the_table_once():
    listed = [spec.func for spec in JOBS.values()]
    assert len(listed) == len(set(listed))
    assert _job_functions() == sorted(f for f in listed if f.startswith("worker."))


def test_no_module_but_the_table_names_a_job_by_its_path():
    outside = {
        str(path.relative_to(ROOT)): names
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != TABLE and (names := _dotted_job_paths(path))
    }
    assert outside == {}, "enqueue by the table's name (RQDispatcher.enqueue_job)"


def test_every_job_is_defined_in_the_worker():
    assert [name for name, spec in JOBS.items() if not spec.func.startswith("worker.")] == []


@pytest.mark.parametrize("name", sorted(JOBS))
def test_each_job_enqueues_by_its_name_onto_its_queue(name, rq_dispatcher, redis_conn):
    spec = JOBS[name]
    args = () if spec.every or name == "inbox-relay" else (1,)
    job = rq_dispatcher.enqueue_job(name, f"{name}-check", args)
    assert job is not None
    stored = Job.fetch(f"{name}-check", connection=redis_conn)
    assert (stored.func_name, stored.origin, stored.args) == (spec.func, spec.queue, args)
    assert stored.retries_left == (spec.retry.max if spec.retry else None)
    assert rq_dispatcher.enqueue_job(name, f"{name}-check", args) is None  # once per id


def test_a_job_not_in_the_table_is_refused(rq_dispatcher):
    with pytest.raises(KeyError, match="no-such-job"):
        rq_dispatcher.enqueue_job("no-such-job", "no-such-job-1", (1,))


def _imports_without_flask(functions: list[str]) -> dict[str, object]:
    """Import a worker process and ``functions`` in a fresh interpreter; what it loaded."""
    script = (
        "import json, sys\n"
        "from rq.utils import import_attribute\n"
        f"for module in {WORKER_PROCESS!r}:\n"
        "    __import__(module)\n"
        f"found = [callable(import_attribute(path)) for path in {functions!r}]\n"
        "web = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'webapp'))\n"
        "print(json.dumps({'callable': all(found), 'web': web}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_worker_process_imports_its_jobs_and_no_flask():
    worker_jobs = [spec.func for spec in JOBS.values() if spec.func.startswith("worker.")]
    assert _imports_without_flask(worker_jobs) == {"callable": True, "web": []}


def test_every_job_of_the_table_imports_without_flask():
    assert _imports_without_flask([spec.func for spec in JOBS.values()]) == {
        "callable": True,
        "web": [],
    }
