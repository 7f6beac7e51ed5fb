"""Runs as data, for notebooks and scripts (the documented Python API).

* :func:`open_run` -- a run directory as a :class:`Run`: pandas DataFrames per
  packet (UTC index, enums as categoricals, units in ``attrs``, vectors as
  columns), xarray Datasets, the event log, summary and scenario, exports;
* :func:`fly` -- fly a scenario with overrides into a run directory;
* :mod:`.export` -- CSV and typed Parquet; :mod:`.ndm` -- CCSDS OEM and AEM;
* :mod:`.columns` -- what every column is (unit, width, enum), from the
  packet dictionary.

``import fsw_tools as fsw; fsw.open_run(DIR)`` and ``fsw.fly(...)`` reach the
same functions. docs/notebook.ipynb is a worked example.
"""

from fsw_tools.analysis.flight import fly
from fsw_tools.analysis.run import Run, open_run

__all__ = ["Run", "fly", "open_run"]
