"""A run directory opened for analysis in Python or a notebook.

::

    import fsw_tools as fsw
    run = fsw.open_run("runs/victus_haze-20260601T000000Z")
    run.packets                      # names of the packets the run holds
    nav = run.frame("NAV_STATE")     # DataFrame, UTC index, units in nav.attrs["units"]
    ds = run.to_xarray("TRUTH_RELATIVE")
    run.events()                     # the event log as a DataFrame
    run.residual_acceleration()      # truth relative acceleration vs two-body + J2
    run.summary, run.scenario        # summary.json, the scenario as flown
    run.export_ndm("ndm/")          # CCSDS OEM and AEM files, truth and estimate
    run.export_parquet("tables/")

Decoding happens once, on first use.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from fsw_tools.rundir import RunDir

from fsw.errors import UserError


class Run:
    """One run directory: its summary, scenario, archive and decoded tables."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.dir = RunDir.of(path).check()

    def __repr__(self) -> str:
        s = self.summary
        return (f"Run({str(self.dir.root)!r}: {s.get('scenario', '?')}, seed {s.get('seed', '?')}"
                f", outcome {s.get('outcome', '?')})")

    @functools.cached_property
    def summary(self) -> dict[str, Any]:
        """summary.json ({} for a run that did not finish)."""
        return self.dir.read_summary()

    @functools.cached_property
    def scenario(self) -> Any:
        """The scenario as flown (a :class:`fsw.scenario.Scenario`), or None."""
        from fsw.scenario import load

        return load(self.dir.scenario) if self.dir.scenario.is_file() else None

    @functools.cached_property
    def archive(self) -> Any:
        """The packet archive (:class:`fsw_tools.archive.Archive`)."""
        from fsw_tools.archive import read_archive

        return read_archive(self.dir.archive)

    @functools.cached_property
    def decoded(self) -> Any:
        """Every packet decoded (:class:`fsw_tools.archive.tables.DecodeResult`)."""
        from fsw_tools.archive.tables import decode_archive

        return decode_archive(self.archive)

    @property
    def packets(self) -> list[str]:
        """Names of the packets this run holds, by APID."""
        from fsw.packets import DICTIONARY

        return sorted(self.decoded.tables, key=lambda n: DICTIONARY[n].apid)

    def table(self, name: str) -> dict[str, Any]:
        """The raw decoded table of packet ``name`` (numpy columns, vectors 2-D)."""
        name = self._name(name)
        return self.decoded.table(name)

    def frame(self, name: str) -> Any:
        """The pandas DataFrame of packet ``name`` (:mod:`fsw_tools.analysis.frames`)."""
        from fsw_tools.analysis.frames import frame

        name = self._name(name)
        return frame(name, self.decoded.table(name))

    __getitem__ = frame

    def to_xarray(self, name: str | None = None) -> Any:
        """The xarray Dataset of packet ``name``, or a dict of every packet's."""
        from fsw_tools.analysis.frames import dataset

        if name is None:
            return {n: dataset(n, self.decoded.tables[n]) for n in self.packets}
        name = self._name(name)
        return dataset(name, self.decoded.table(name))

    def events(self) -> Any:
        """The event log: time (UTC index), severity, source, id and text."""
        f = self.frame("EVENT")
        keep = [c for c in ("t_tai", "severity", "source", "event_id", "text") if c in f]
        return f[keep]

    def residual_acceleration(self, model: str = "j2",
                              bins: tuple[float, ...] | None = None) -> list[dict[str, Any]]:
        """The truth's relative acceleration against ``model`` ("j2" or
        "two-body") per range bin (:mod:`fsw_tools.analysis.residual`)."""
        from fsw_tools.analysis.residual import RANGE_BINS_M, residual_acceleration

        return residual_acceleration(self.table("TRUTH_CHASER"), self.table("TRUTH_TARGET"),
                                     self.table("TRUTH_RELATIVE"), model,
                                     RANGE_BINS_M if bins is None else bins)

    def export_parquet(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Every table as typed Parquet (:func:`fsw_tools.analysis.export.write_parquet`)."""
        from fsw_tools.analysis.export import write_parquet

        return write_parquet(self.decoded.tables, Path(folder))

    def export_ndm(self, folder: str | os.PathLike[str],
                   step_s: float | None = None) -> list[Path]:
        """CCSDS OEMs of both craft and AEMs of the chaser, truth and on-board
        estimate, one file each in ``folder`` (:mod:`fsw_tools.analysis.ndm`)."""
        from fsw_tools.analysis.ndm import write_ndm

        return write_ndm(self.decoded.tables, Path(folder), step_s)

    def _name(self, name: str) -> str:
        from fsw.packets import DICTIONARY

        key = str(name).upper()
        if key not in DICTIONARY:
            raise UserError(f"no packet named {name!r} in the dictionary (this run holds: "
                            f"{', '.join(self.packets)})")
        return key


def open_run(path: str | os.PathLike[str]) -> Run:
    """Open the run directory ``path`` (written by ``fsw run`` or :func:`fly`)."""
    return Run(path)
