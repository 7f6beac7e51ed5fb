"""Acceptance 4 (on a synthetic run until the mission lands): ``fsw plot`` and
``fsw report`` on a run directory; the figures are checked for content (axes
with the data that went into the packets, the expected series labels), the
report for its embedded plots and summary."""

from __future__ import annotations

import base64
import io
import math
import re
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from fsw_tools.archive import ArchiveWriter
from fsw_tools.cli import main
from fsw_tools.plots.run import figures, load_run
from fsw_tools.rundir import RunDir
from ground_packets import field_values

from fsw.packets import DICTIONARY

T0 = 2.4e9
N = 120
KEEP_OUT = 150.0


def _hill(k: int) -> tuple[float, float, float]:
    """A drifting natural-motion circumnavigation: ellipse 200 x 400 m."""
    a = 2 * math.pi * k / 60
    return (200 * math.cos(a), -400 * math.sin(a) + 5 * k, 50 * math.sin(a))


def _build(name: str, k: int, **over) -> bytes:
    pdef = DICTIONARY[name]
    return pdef.build(t_tai=T0 + 10 * k, seq=k, **{**field_values(pdef, k), **over})


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("run")
    run = RunDir(root).create()
    modes = ["commissioning"] * 20 + ["phasing"] * 30 + ["rendezvous"] * 40 + ["prox_ops"] * 30
    with ArchiveWriter(run.archive) as w:
        for k in range(N):
            t = T0 + 10 * k
            for pkt in (
                _build("NAV_STATE", k, valid=1, rho_H=_hill(k)),
                _build("ADCS_STATE", k, att_error=1e-3 * (1 + k % 7)),
                _build("WHEEL_TACH", k, speed=(10.0 + k, -20.0, 30.0 - k, 5.0)),
                _build("PROP_STATUS", k, propellant_mass=20.0 - 0.05 * k),
                _build("MODE_STATUS", k, mode=modes[k]),
            ):
                w.write(pkt, t)
    run.write_summary({"scenario": "synthetic", "seed": 7, "outcome": "DEPARTURE",
                       "keep_out_radius_m": KEEP_OUT, "delta_v_m_s": 3.25,
                       "min_range_m": 201.5})
    return root


def _labels(ax) -> list[str]:
    return [h.get_label() for h in ax.get_legend_handles_labels()[0]]


def test_figures_hold_the_run_data(run_dir: Path) -> None:
    data = load_run(run_dir)
    figs = figures(data)
    assert sorted(figs) == ["attitude", "modes", "propellant", "range", "trajectory_hill",
                            "wheels"]
    hill = np.array([_hill(k) for k in range(N)])
    # trajectory: along-track vs radial, the estimate, keep-out sphere, target
    ax = figs["trajectory_hill"].axes[0]
    labels = _labels(ax)
    assert "estimate (NAV_STATE)" in labels and f"keep-out sphere ({KEEP_OUT:g} m)" in labels
    line = next(ln for ln in ax.lines if ln.get_label() == "estimate (NAV_STATE)")
    assert np.allclose(line.get_xdata(), hill[:, 1]) and np.allclose(line.get_ydata(), hill[:, 0])
    patch = next(p for p in ax.patches if p.get_label().startswith("keep-out"))
    verts = patch.get_path().vertices
    assert np.allclose(np.hypot(verts[:, 0], verts[:, 1]), KEEP_OUT)
    # range: the norm of the Hill position, and the keep-out radius
    ax = figs["range"].axes[0]
    rng = next(ln for ln in ax.lines if ln.get_label().startswith("range, estimate"))
    assert np.allclose(rng.get_ydata(), np.linalg.norm(hill, axis=1))
    assert np.allclose(rng.get_xdata(), 10 * np.arange(N) / 60)  # minutes
    assert any(ln.get_label().startswith("keep-out radius") for ln in ax.lines)
    # attitude error in degrees
    ax = figs["attitude"].axes[0]
    [att] = ax.lines
    assert np.allclose(att.get_ydata(), np.degrees(1e-3 * (1 + np.arange(N) % 7)))
    # four wheels in rpm
    ax = figs["wheels"].axes[0]
    assert [ln.get_label() for ln in ax.lines] == [f"wheel {i} (measured (WHEEL_TACH))"
                                                    for i in range(1, 5)]
    assert np.allclose(ax.lines[0].get_ydata(), (10.0 + np.arange(N)) * 30 / np.pi)
    ax = figs["propellant"].axes[0]
    assert np.allclose(ax.lines[0].get_ydata(), 20.0 - 0.05 * np.arange(N))
    # modes: step plot labelled with the mode names
    ax = figs["modes"].axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert {"commissioning", "phasing", "rendezvous", "prox_ops"} <= set(ticks)
    assert len(ax.lines[0].get_ydata()) == N


def test_fsw_plot_writes_pngs(run_dir: Path, capsys) -> None:
    assert main(["plot", str(run_dir)]) == 0
    pngs = sorted((run_dir / "plots").glob("*.png"))
    assert [p.stem for p in pngs] == ["attitude", "modes", "propellant", "range",
                                      "trajectory_hill", "wheels"]
    for p in pngs:
        img = mpimg.imread(p)
        assert img.shape[0] > 200 and img.shape[1] > 400
        assert img[..., :3].std() > 0.05  # not a blank canvas


def test_fsw_report_is_self_contained(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(run_dir), "--out", str(out)]) == 0
    text = out.read_text()
    images = re.findall(r"src='data:image/png;base64,([^']+)'", text)
    assert len(images) == 6
    for b64 in images:
        img = mpimg.imread(io.BytesIO(base64.b64decode(b64)), format="png")
        assert img[..., :3].std() > 0.05
    assert "synthetic" in text and "DEPARTURE" in text and "3.25" in text
    for mode in ("commissioning", "phasing", "rendezvous", "prox_ops"):
        assert f"<td>{mode}</td>" in text
    assert "0x062 NAV_STATE" in text
    assert not re.search(r"(src|href)=['\"](?!data:)", text)  # no external file


def test_not_a_run_directory(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "not a run directory" in capsys.readouterr().err
