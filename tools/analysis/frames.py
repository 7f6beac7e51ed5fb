"""pandas DataFrames and xarray Datasets of decoded packet tables.

A frame has one row per packet, a UTC ``DatetimeIndex`` named ``utc`` (from
the packet's CUC time, TAI - UTC from ERFA), the columns of
:mod:`fsw_tools.analysis.columns` (vectors as one column per component,
enums as ``Categorical`` of their names, numbers in the dictionary's width)
and ``attrs``: ``packet``, ``apid``, ``description`` and ``units``
(``{column: unit}``).

A Dataset has the dimension ``utc`` and keeps a vector field whole, as a
variable over (``utc``, ``<field>_component``), each variable with its unit
and description in its attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from fsw_tools.analysis.columns import flat

from fsw.timescale import tai_to_unix_ns


def _pdef(name: str) -> Any:
    from fsw.packets import DICTIONARY

    return DICTIONARY[name]


def utc_index(t_tai: np.ndarray) -> Any:
    """A pandas UTC DatetimeIndex named ``utc`` of TAI seconds since 1958."""
    import pandas as pd

    return pd.DatetimeIndex(tai_to_unix_ns(t_tai).astype("datetime64[ns]"), name="utc",
                            tz="UTC")


def frame(name: str, table: Mapping[str, np.ndarray]) -> Any:
    """The DataFrame of packet ``name``'s decoded ``table`` (see the module)."""
    import pandas as pd

    pdef = _pdef(name)
    cols = flat(pdef, table) if table else {}
    data: dict[str, Any] = {}
    units: dict[str, str] = {}
    for cname, (c, values) in cols.items():
        if c.kind == "enum":
            names = c.enum or {}
            extra = sorted({int(v) for v in np.unique(values).tolist()} - set(names))
            order = [names[v] for v in sorted(names)] + [str(v) for v in extra]
            lookup = {**{v: n for v, n in names.items()}, **{v: str(v) for v in extra}}
            data[cname] = pd.Categorical([lookup[int(v)] for v in values.tolist()],
                                         categories=order)
        else:
            data[cname] = values
        units[cname] = c.unit
    index = utc_index(np.asarray(table["t_tai"])) if table else utc_index(np.empty(0))
    df = pd.DataFrame(data, index=index)
    df.attrs.update(packet=name, apid=pdef.apid, description=pdef.description, units=units)
    return df


def dataset(name: str, table: Mapping[str, np.ndarray]) -> Any:
    """The xarray Dataset of packet ``name``'s decoded ``table``."""
    import xarray as xr

    pdef = _pdef(name)
    f = frame(name, table)
    variables: dict[str, Any] = {}
    by_field: dict[str, list[str]] = {}
    from fsw_tools.analysis.columns import columns

    described = {c.name: c for c in columns(pdef, table)}
    for cname in f.columns:
        by_field.setdefault(described[cname].field, []).append(cname)
    for field, names in by_field.items():
        c = described[names[0]]
        attrs = {"units": c.unit, "description": c.description}
        if c.component is None:
            col = f[names[0]]
            values = np.asarray(col.astype(str)) if c.kind == "enum" else col.to_numpy()
            variables[field] = (("utc",), values, attrs)
        else:
            values = np.stack([f[n].to_numpy() for n in names], axis=1)
            variables[field] = (("utc", f"{field}_component"), values, attrs)
    coords = {"utc": f.index.tz_convert(None).to_numpy()}
    return xr.Dataset(variables, coords=coords, attrs={"packet": name, "apid": pdef.apid,
                                                       "description": pdef.description})
