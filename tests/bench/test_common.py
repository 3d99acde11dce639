"""What every benchmark's figures rest on: nearest-rank percentiles and the JSON line shape."""

from __future__ import annotations

import json

from bench.common import percentile, report


def test_percentiles_are_nearest_rank():
    samples = [float(n) for n in range(1, 101)]  # 1 … 100; their order does not matter
    assert percentile(list(reversed(samples)), 50) == 50.0
    assert percentile(samples, 99) == 99.0
    assert percentile(samples, 100) == 100.0
    assert percentile([7.0], 99) == 7.0


def test_a_figure_is_one_json_line_with_its_ratio_to_the_baseline(capsys):
    report("ingest", "ingest.ratio_to_bare", 773.0, "req/s", 2573.0, target=0.5)
    line = capsys.readouterr().out
    assert line.count("\n") == 1
    assert line.endswith("\n")
    assert json.loads(line) == {
        "bench": "ingest",
        "metric": "ingest.ratio_to_bare",
        "value": 773.0,
        "unit": "req/s",
        "baseline": 2573.0,
        "ratio": 0.3,
        "target": 0.5,
    }
