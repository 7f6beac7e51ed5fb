"""The jinja2 environment of the reports, its filters, and the pages.

Filters: ``dur`` (seconds as ``1 h 28 min 16 s``), ``num`` (a number with a
format, ``–`` for none), ``pct`` (a fraction as a percentage).
"""

from __future__ import annotations

import base64
import functools
import io
import math
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def dur(seconds: Any) -> str:
    """Seconds as hours, minutes and seconds (``–`` for none)."""
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)):
        return "–"
    sign = "-" if seconds < 0 else ""
    h, rem = divmod(round(abs(seconds)), 3600)
    m, s = divmod(rem, 60)
    if h:
        return f"{sign}{h} h {m:02d} min {s:02d} s"
    if m:
        return f"{sign}{m} min {s:02d} s"
    return f"{sign}{s} s"


def num(value: Any, fmt: str = ".4g") -> str:
    """A number formatted (``–`` for none, yes/no for booleans)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return "–"
        return format(value, fmt)
    return str(value)


def pct(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f} %"


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("fsw_tools", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(dur=dur, num=num, pct=pct)
    return env


def render(template: str, **context: Any) -> str:
    """A page from ``fsw_tools/templates/<template>``."""
    return environment().get_template(template).render(**context)


def png_data(fig: Any, dpi: int = 90) -> str:
    """A figure as a ``data:`` URL (PNG, base64), for a self-contained page."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
