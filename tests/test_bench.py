"""The benchmark runs end to end in its CI-sized variant and writes its outputs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.model
def test_quick_bench_writes_table_json_and_plot(tmp_path):
    proc = subprocess.run([sys.executable, "bench/run.py", "--quick", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "index build (seeds)" in proc.stdout and "scale    10,000" in proc.stdout
    assert "kernels: embedder" in proc.stdout  # which kernels ran is said, not assumed
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["machine"]["cpus"] >= 1 and results["machine"]["embedder"]
    assert results["build"]["ratio"] > 0 and results["scale"][-1]["ivf_recall10"] >= 0.95
    assert results["incremental"]["add_one_embedded"] < results["incremental"]["full_embedded"]
    assert results["cold"]["app_port_open_s"] > 0  # where the app's start-up goes is said, not only its total
    assert (tmp_path / "scale.png").stat().st_size > 10_000
