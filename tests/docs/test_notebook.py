"""Acceptance 3 of issue #21: the example notebook (docs/notebook.ipynb) runs
from top to bottom on the current code, executed by nbmake in a pytest of
its own (a fresh kernel of this environment)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebook.ipynb"


def test_example_notebook_runs(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbmake", "--nbmake-timeout=300", "-q",
         "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(NOTEBOOK)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "1 passed" in proc.stdout
