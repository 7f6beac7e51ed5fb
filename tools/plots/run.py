"""From a run directory to figures, PNG files and the HTML report."""

from __future__ import annotations

import io
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from fsw_tools.archive import Archive, read_archive
from fsw_tools.archive.tables import DecodeResult, decode_archive
from fsw_tools.plots.figures import all_figures
from fsw_tools.plots.series import RunSeries, run_series
from fsw_tools.rundir import RunDir
from matplotlib.figure import Figure

#: packets the plots and the report never use: the high-rate raw sensor and
#: actuator streams (decoding them would double the time of ``fsw plot``)
UNUSED = ("HEARTBEAT", "GYRO", "STAR_TRACKER", "SUN_SENSOR", "MAGNETOMETER", "WHEEL_TACH",
          "ACCEL", "WHEEL_CMD", "MTQ_CMD")


@dataclass
class RunData:
    """A run loaded for plotting: its archive, tables, series and summary."""

    run: RunDir
    archive: Archive
    decoded: DecodeResult
    series: RunSeries
    summary: dict[str, Any]
    keep_out_m: float | None
    scenario: Any = None
    zoom_m: float | None = None


def _find_key(doc: Any, key: str) -> Any:
    if isinstance(doc, dict):
        if key in doc:
            return doc[key]
        for v in doc.values():
            found = _find_key(v, key)
            if found is not None:
                return found
    return None


def _scenario(run: RunDir) -> Any:
    if not run.scenario.is_file():
        return None
    try:
        from fsw.scenario import load

        return load(run.scenario)
    except Exception:  # an older or foreign scenario file: the report goes on without it
        return None


def scenario_facts(run: RunDir, summary: dict[str, Any]
                   ) -> tuple[float | None, tuple[float, float, float]]:
    """(keep-out radius in m or None, camera boresight in body axes) from the
    summary, else the scenario as flown (RUN/scenario.toml)."""
    keep = summary.get("keep_out_radius_m", summary.get("keep_out_m"))
    boresight: tuple[float, float, float] = (0.0, 0.0, 1.0)
    sc = _scenario(run)
    if sc is not None:
        keep = keep if keep is not None else sc.plan.keep_out_m
        boresight = tuple(float(x) for x in sc.chaser.camera_boresight_b)  # type: ignore[assignment]
    elif run.scenario.is_file() and keep is None:
        try:
            keep = _find_key(tomllib.loads(run.scenario.read_text(encoding="utf-8")),
                             "keep_out_m")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            keep = None
    try:
        return (float(keep) if keep is not None else None), boresight
    except (TypeError, ValueError):
        return None, boresight


def load_run(path: str | Path, quiet: bool = False) -> RunData:
    """Read and decode a run directory (UserError if it is not one); only the
    packets the plots and the report use are decoded."""
    from fsw_tools.progress import step

    run = RunDir.of(path).check()
    with step("reading the archive", quiet=quiet):
        archive = read_archive(run.archive)
    with step("decoding", quiet=quiet):
        from fsw.packets import DICTIONARY

        skip = {DICTIONARY[n].apid for n in UNUSED if n in DICTIONARY}
        apids = [a for a in np.unique(archive.apids).tolist() if a not in skip]
        decoded = decode_archive(archive, apids)
    summary = run.read_summary()
    keep_out, boresight = scenario_facts(run, summary)
    sc = _scenario(run)
    zoom = 2.5 * sc.plan.inspection_radius_m if sc is not None else None
    return RunData(run, archive, decoded, run_series(decoded, boresight), summary, keep_out,
                   sc, zoom)


def figures(data: RunData) -> dict[str, Figure]:
    return all_figures(data.series, data.keep_out_m, data.zoom_m)


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def write_plots(data: RunData, out: Path | None = None, dpi: int = 100,
                quiet: bool = False) -> list[Path]:
    """PNG files of every plot (default RUN/plots/); returns their paths."""
    import matplotlib.pyplot as plt
    from fsw_tools.files import atomic_write, output_dir
    from fsw_tools.progress import step

    out = output_dir(out or data.run.plots)
    paths = []
    with step("drawing", total=8, unit="plot", quiet=quiet) as bar:
        for stem, fig in figures(data).items():
            path = out / f"{stem}.png"
            atomic_write(path, png_bytes(fig, dpi))
            plt.close(fig)
            paths.append(path)
            bar.update(1)
    return paths


def report_html(data: RunData, dpi: int = 90, quiet: bool = True) -> str:
    """The self-contained run report (see :mod:`fsw_tools.report`)."""
    from fsw_tools.report.page import run_report

    return run_report(data, dpi, quiet)


def write_report(data: RunData, out: Path | None = None, quiet: bool = False) -> Path:
    from fsw_tools.files import atomic_write

    path = out or data.run.report
    from fsw_tools.files import output_file

    output_file(path)
    return atomic_write(path, report_html(data, quiet=quiet))
