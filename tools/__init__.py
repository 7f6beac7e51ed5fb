"""The operator's and developer's side, installed as ``fsw_tools``: the ``fsw``
command (the composition root that wires flight software and world), ground
tools, benchmarks and campaigns.

For notebooks and scripts: ``fsw_tools.open_run(DIR)`` and
``fsw_tools.fly(SCENARIO, overrides=...)`` (:mod:`fsw_tools.analysis`).
"""

from typing import Any

__all__ = ["fly", "open_run"]


def __getattr__(name: str) -> Any:
    # imported on first use: the command line does not pay for pandas
    if name in __all__:
        from fsw_tools import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module 'fsw_tools' has no attribute {name!r}")
