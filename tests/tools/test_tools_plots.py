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


def _theta(k: int) -> float:
    """True attitude: the estimate (identity) turned about body z by this angle."""
    return 1e-4 * (1 + k % 5)


def _alpha(k: int) -> float:
    """True angle between the camera boresight (+z) and the line of sight."""
    return 0.01 * (1 + k % 3)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("run")
    run = RunDir(root).create()
    modes = ["commissioning"] * 20 + ["phasing"] * 30 + ["rendezvous"] * 40 + ["prox_ops"] * 30
    r_chaser = np.array([7.0e6, 0.0, 0.0])
    with ArchiveWriter(run.archive) as w:
        for k in range(N):
            t = T0 + 10 * k
            th, al = _theta(k), _alpha(k)
            q_true = (math.cos(th / 2), 0.0, 0.0, math.sin(th / 2))
            los = np.array([math.sin(al), 0.0, math.cos(al)]) * 300.0
            truth_hill = np.array(_hill(k)) * 0.98
            for pkt in (
                _build("TRUTH_CHASER", k, r_N=tuple(r_chaser), q_BN=q_true,
                       wheel_speed=(100.0 + k, -50.0, 20.0, 0.0), propellant_mass=19.5 - 0.05 * k),
                _build("TRUTH_TARGET", k, r_N=tuple(r_chaser + los)),
                _build("TRUTH_RELATIVE", k, r_H=tuple(truth_hill),
                       range=float(np.linalg.norm(truth_hill))),
                _build("NAV_STATE", k, valid=1, rho_H=_hill(k)),
                _build("ADCS_STATE", k, q_BN=(1.0, 0.0, 0.0, 0.0), att_error=1e-3 * (1 + k % 7)),
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


def _line(ax, label: str):
    found = [ln for ln in ax.lines if ln.get_label() == label]
    assert found, (label, [ln.get_label() for ln in ax.lines])
    return found[0]


def test_figures_hold_the_run_data(run_dir: Path) -> None:
    data = load_run(run_dir)
    figs = figures(data)
    assert sorted(figs) == ["attitude", "modes", "navigation", "propellant", "range",
                            "trajectory_hill", "wheels"]
    hill = np.array([_hill(k) for k in range(N)])
    k = np.arange(N)
    # trajectory: along-track vs radial, truth and estimate, keep-out sphere, target
    ax = figs["trajectory_hill"].axes[0]
    assert {"truth", "estimate (NAV_STATE)", f"keep-out sphere ({KEEP_OUT:g} m)",
            "target"} <= set(_labels(ax))
    truth = _line(ax, "truth")
    assert np.allclose(truth.get_xdata(), 0.98 * hill[:, 1])
    assert np.allclose(truth.get_ydata(), 0.98 * hill[:, 0])
    est = _line(ax, "estimate (NAV_STATE)")
    assert np.allclose(est.get_xdata(), hill[:, 1]) and np.allclose(est.get_ydata(), hill[:, 0])
    patch = next(p for p in ax.patches if p.get_label().startswith("keep-out"))
    verts = patch.get_path().vertices
    assert np.allclose(np.hypot(verts[:, 0], verts[:, 1]), KEEP_OUT)
    # the inspection zoom: equal scale about the target, radial and cross-track
    zoom = figs["trajectory_hill"].axes[1]
    assert np.allclose(_line(zoom, "truth").get_ydata(), 0.98 * hill[:, 0])
    assert zoom.get_xlim() == zoom.get_ylim() and zoom.get_xlim()[1] < 1000
    assert np.allclose(_line(figs["trajectory_hill"].axes[2], "truth").get_ydata(),
                       0.98 * hill[:, 2])
    # range: norms of the Hill positions, and the keep-out radius, minutes
    ax = figs["range"].axes[0]
    rng = _line(ax, "range, truth")
    assert np.allclose(rng.get_ydata(), 0.98 * np.linalg.norm(hill, axis=1))
    assert np.allclose(rng.get_xdata(), 10 * k / 60)
    assert np.allclose(_line(ax, "range, estimate (NAV_STATE)").get_ydata(),
                       np.linalg.norm(hill, axis=1))
    assert any(ln.get_label().startswith("keep-out radius") for ln in ax.lines)
    # attitude (degrees): knowledge error truth vs estimate, pointing error, control error
    ax = figs["attitude"].axes[0]
    know = _line(ax, "knowledge error, truth vs ADCS_STATE")
    assert np.allclose(know.get_ydata(), np.degrees([_theta(i) for i in k]), atol=1e-6)
    point = _line(ax, "pointing error (truth)")
    assert np.allclose(point.get_ydata(), np.degrees([_alpha(i) for i in k]), atol=1e-6)
    ctrl = _line(ax, "control error, flight estimate (ADCS_STATE)")
    assert np.allclose(ctrl.get_ydata(), np.degrees(1e-3 * (1 + k % 7)))
    # four wheels in rpm, from truth
    ax = figs["wheels"].axes[0]
    assert [ln.get_label() for ln in ax.lines] == [f"wheel {i} (truth)" for i in range(1, 5)]
    assert np.allclose(ax.lines[0].get_ydata(), (100.0 + k) * 30 / np.pi)
    ax = figs["propellant"].axes[0]
    assert np.allclose(_line(ax, "propellant, truth").get_ydata(), 19.5 - 0.05 * k)
    assert np.allclose(_line(ax, "propellant, flight software (PROP_STATUS)").get_ydata(),
                       20.0 - 0.05 * k)
    # modes: step plot labelled with the mode names
    ax = figs["modes"].axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert {"commissioning", "phasing", "rendezvous", "prox_ops"} <= set(ticks)
    assert len(ax.lines[0].get_ydata()) == N


def test_rotation_to_inertial_matches_scipy() -> None:
    from fsw_tools.plots.series import rotate_to_inertial
    from scipy.spatial.transform import Rotation

    rng = np.random.default_rng(5)
    q = rng.normal(size=(50, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    v = np.array([0.2, -0.4, 0.9])
    ref = [Rotation.from_quat([a[1], a[2], a[3], a[0]]).as_matrix().T @ v for a in q]
    assert np.allclose(rotate_to_inertial(q, v), ref, atol=1e-14)


def test_fsw_plot_writes_pngs(run_dir: Path, capsys) -> None:
    assert main(["plot", str(run_dir)]) == 0
    pngs = sorted((run_dir / "plots").glob("*.png"))
    assert [p.stem for p in pngs] == ["attitude", "modes", "navigation", "propellant", "range",
                                      "trajectory_hill", "wheels"]
    for p in pngs:
        img = mpimg.imread(p)
        assert img.shape[0] > 200 and img.shape[1] > 400
        assert img[..., :3].std() > 0.05  # not a blank canvas


def test_fsw_report_is_self_contained(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(run_dir), "--out", str(out)]) == 0
    text = out.read_text()
    images = re.findall(r"src=\"data:image/png;base64,([^\"]+)\"", text)
    assert len(images) == 7
    for b64 in images:
        img = mpimg.imread(io.BytesIO(base64.b64decode(b64)), format="png")
        assert img[..., :3].std() > 0.05
    assert "synthetic" in text and "DEPARTURE" in text and "3.250 m/s" in text
    for mode in ("commissioning", "phasing", "rendezvous", "prox_ops"):
        assert f"<td>{mode}</td>" in text  # navigation and pointing per phase
    assert "<td>0x062</td><td>NAV_STATE</td>" in text
    assert not re.search(r"(src|href)=['\"](?!data:|#)", text)  # no external file


def test_not_a_run_directory(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "not a run directory" in capsys.readouterr().err
