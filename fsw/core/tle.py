"""A target orbit from a two-line element set, and a TLE from a state.

:func:`state` parses the two lines here (strictly: columns, characters,
ranges and checksums; ``float()`` of decimal text is correctly rounded, so
the same everywhere) and hands the elements to the guidance core
(native/src/gnc_sgp4.c): near-Earth SGP4 (Vallado's, WGS-72, the improved
mode of the ``sgp4`` package) gives the TEME state, turned into GCRF by the
IAU 1976 precession alone (nutation, below 20 arcsec, i.e. under a kilometre
in LEO, is neglected: the relative-navigation sensor removes that error once
the target is in view). The core computes with its own elementary functions,
so a TLE gives the same bits on every machine and on the board; against the
``sgp4`` package (platform libm) the state agrees to a few nanometres, most
often bit for bit (tests/core/test_sgp4.py). Deep-space element sets
(period of 225 min or more) are refused.

:func:`from_state` goes the other way: a TLE whose SGP4 state at ``t_tai``
is a given GCRF state (B* and the mean motion's derivatives zero). The mean
elements are fitted by fixed-point iteration on equinoctial elements
(mean motion, e cos, e sin of the longitude of perigee, tan(i/2) sin, cos of
the node, mean longitude: regular at e = 0 and i = 0), each step adding the
difference between the target's osculating elements and those of SGP4's
state; each step shrinks the residual about a hundredfold (J2's short-period
terms), six steps reach the rounding floor. Everything on that path
is a core call or IEEE basic arithmetic (and ``math.sqrt``, correctly
rounded): no platform libm.

Round trip (tests/core/test_tle.py: random LEO states, perigee 300-1500 km,
e 0-0.01, every tenth circular): the fitted elements, before the text rounds
them, reproduce the state to 1.3e-7 m and 1e-10 m/s at most. The text rounds
each angle to 1e-4 deg, an error d of at most 8.7e-7 rad: with a the
semi-major axis the position moves by at most about
a d sqrt((2 + |cos i|)^2 + 2) (1 + 2e) <= 3.4 a d (along-track M + argp +
cos i raan, cross-track i and sin i raan), 23 m at a perigee of 1500 km;
the 7-digit eccentricity (5e-8) adds at most 2.3 a 5e-8 (under a metre) and
the 8-decimal mean motion a few millimetres: the tests take 3.6 a d +
2.3 a 5e-8 (a margin for second-order terms).
Measured over 300 states: at most 17 m (2.7 a d), median 5 m; the velocity
at most 16 mm/s, median 5 mm/s. The epoch is ``t_tai`` rounded to the TLE's
1e-8 day; the elements are fitted at ``t_tai`` itself, so that rounding
costs nothing. A drag-free TLE's own state at its epoch gives its line 2
back, digit for digit. With an epoch before ``t_tai`` (an element set that
predicts the state, as a catalogue's does: the launch notice's) the
iteration is the same on the mean elements at ``t_tai``, those of the epoch
being them carried back by SGP4's secular rates of node, perigee and mean
anomaly (linear in time with B* = 0); the same bound holds at ``t_tai``
(60 states, epochs up to 3 days earlier, tests/core/test_tle.py).

The navigation task loads the result of :func:`state` into the core's
ephemeris (RK4 two-body + J2), which carries it from there; it reads a TLE
again at its first GPS fix in orbit (fsw/tasks/navigation.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from fsw.core._ffi import error, ffi, lib
from fsw.core.elementary import evaluate

__all__ = ["MAX_PREDICT_S", "Elements", "checksum", "format_lines", "from_state", "parse",
           "precession", "state"]

Vec3 = tuple[float, float, float]
Mat = tuple[tuple[float, float, float], ...]

#: Julian date of 1958-01-01T00:00 (the CUC epoch), days
_JD_1958 = 2436204.5
#: Julian date of 0001-01-01T00:00 (proleptic Gregorian) minus one: JD = ordinal + this
_JD_ORDINAL = 1721424.5
#: WGS-72 gravitational parameter (m^3/s^2), SGP4's
_MU = 398600.8e9
_TWO_PI = 2.0 * math.pi
_DEG = 180.0 / math.pi  # rad -> deg
_REV_DAY = 86400.0 / _TWO_PI  # rad/s -> rev/day
#: the longest span from a fitted element set's epoch to its state
#: (:func:`from_state`): a catalogue's TLE predicts a few days
MAX_PREDICT_S = 7 * 86400.0
#: Vallado's SGP4 error codes
_SGP4_CODES = {
    1: "mean eccentricity outside [-0.001, 1)",
    2: "mean motion not positive",
    4: "semi-latus rectum negative",
    6: "the satellite has decayed (radius below one earth radius)",
}


@dataclass(frozen=True)
class Elements:
    """The content of a TLE. The epoch is a UTC Julian date split as the
    ``sgp4`` package splits it: ``epoch_jd`` the whole day (ends in .5),
    ``epoch_jd_frac`` the fraction of it (the TLE's 8 decimals). ``ndot``
    (rev/day^2, the TLE's first derivative over 2) and ``nddot`` (rev/day^3,
    over 6) are carried for the text; SGP4 ignores them."""

    satnum: int
    epoch_jd: float
    epoch_jd_frac: float
    n_rev_day: float
    ecc: float
    incl_deg: float
    raan_deg: float
    argp_deg: float
    mean_anomaly_deg: float
    bstar: float = 0.0
    ndot: float = 0.0
    nddot: float = 0.0
    classification: str = "U"
    intl_desig: str = ""
    ephemeris_type: int = 0
    element_set: int = 999
    rev_number: int = 0

    def epoch_tai(self, tai_minus_utc: float = 37.0) -> float:
        """The epoch in TAI seconds since 1958 (``tai_minus_utc`` s)."""
        return ((self.epoch_jd - _JD_1958) + self.epoch_jd_frac) * 86400.0 + tai_minus_utc


# ---------------------------------------------------------------- the text

def checksum(line: str) -> int:
    """The modulo-10 checksum of a TLE line's first 68 characters (digits
    count their value, a minus sign counts 1)."""
    return sum(int(c) if c.isdigit() else c == "-" for c in line[:68]) % 10


_ANGLE = r" *\d{1,3}\.\d{4}"
_EXP = r"[ +-]\d{5}[+-]\d"  # implied decimal point: [sign]mmmmm[sign]e = 0.mmmmm x 10^e
# (name, first column, last column (1-based, inclusive), pattern)
_LINE1 = (
    ("line number", 1, 1, "1"), ("satellite number", 3, 7, r"\d{5}"),
    ("classification", 8, 8, "[UCS ]"), ("international designator", 10, 17, "[ -~]{8}"),
    ("epoch year", 19, 20, r"\d\d"), ("epoch day", 21, 32, r" *\d{1,3}\.\d{8}"),
    ("ndot", 34, 43, r"[ +-]\.\d{8}"), ("nddot", 45, 52, _EXP), ("bstar", 54, 61, _EXP),
    ("ephemeris type", 63, 63, r"[\d ]"), ("element set number", 65, 68, r" *\d{0,4}"),
    ("checksum", 69, 69, r"\d"),
)
_LINE2 = (
    ("line number", 1, 1, "2"), ("satellite number", 3, 7, r"\d{5}"),
    ("inclination", 9, 16, _ANGLE), ("right ascension of the node", 18, 25, _ANGLE),
    ("eccentricity", 27, 33, r"\d{7}"), ("argument of perigee", 35, 42, _ANGLE),
    ("mean anomaly", 44, 51, _ANGLE), ("mean motion", 53, 63, r" *\d{1,2}\.\d{8}"),
    ("revolution number", 64, 68, r" *\d{0,5}"), ("checksum", 69, 69, r"\d"),
)
_BLANK1 = (2, 9, 18, 33, 44, 53, 62, 64)
_BLANK2 = (2, 8, 17, 26, 34, 43, 52)


def _fields(line: str, n: int, layout: tuple[tuple[str, int, int, str], ...],
            blanks: tuple[int, ...]) -> dict[str, str]:
    if not isinstance(line, str):
        raise ValueError(f"TLE line {n} must be a str, got {type(line).__name__}")
    text = line.rstrip("\r\n")
    if len(text) != 69:
        raise ValueError(f"TLE line {n} must be 69 characters, got {len(text)}: {text!r}")
    for col in blanks:
        if text[col - 1] != " ":
            raise ValueError(f"TLE line {n} column {col} must be blank, got "
                             f"{text[col - 1]!r}: {text!r}")
    out = {}
    for name, a, b, pattern in layout:
        field = text[a - 1:b]
        if not re.fullmatch(pattern, field, flags=re.ASCII):
            where = f"column {a}" if a == b else f"columns {a}-{b}"
            raise ValueError(f"TLE line {n} {where} ({name}): {field!r} is not valid")
        out[name] = field
    if int(out["checksum"]) != checksum(text):
        raise ValueError(f"TLE line {n} fails its checksum (last digit {text[68]}, "
                         f"computed {checksum(text)}): {text!r}")
    return out


def _exp_field(text: str) -> float:
    sign = "-" if text[0] == "-" else ""
    return float(f"{sign}0.{text[1:6]}e{text[6:8]}")


def _in(value: float, lo: float, hi: float, what: str) -> float:
    if not lo <= value <= hi:
        raise ValueError(f"TLE {what} {value} is outside [{lo:g}, {hi:g}]")
    return value


def parse(line1: str, line2: str) -> Elements:
    """The elements of a TLE. ValueError (naming the line, the columns and
    the field) for a line that breaks the format: length, blanks, characters,
    checksum, ranges, or two satellite numbers."""
    f1 = _fields(line1, 1, _LINE1, _BLANK1)
    f2 = _fields(line2, 2, _LINE2, _BLANK2)
    if f1["satellite number"] != f2["satellite number"]:
        raise ValueError(f"TLE lines name two satellites: {f1['satellite number']} and "
                         f"{f2['satellite number']}")
    yy = int(f1["epoch year"])
    year = 2000 + yy if yy < 57 else 1900 + yy
    day_text = f1["epoch day"].strip()
    day = int(day_text[:-9])
    jan1 = date(year, 1, 1).toordinal()
    _in(day, 1, date(year + 1, 1, 1).toordinal() - jan1, f"epoch day of {year}")
    n = float(f2["mean motion"])
    if not n > 0.0:
        raise ValueError(f"TLE mean motion {n} rev/day is not positive")
    return Elements(
        satnum=int(f1["satellite number"]),
        epoch_jd=jan1 + _JD_ORDINAL + (day - 1),
        epoch_jd_frac=float("0." + day_text[-8:]),
        n_rev_day=n,
        ecc=float("0." + f2["eccentricity"]),
        incl_deg=_in(float(f2["inclination"]), 0.0, 180.0, "inclination (deg)"),
        raan_deg=_in(float(f2["right ascension of the node"]), 0.0, 360.0, "raan (deg)"),
        argp_deg=_in(float(f2["argument of perigee"]), 0.0, 360.0, "argument of perigee (deg)"),
        mean_anomaly_deg=_in(float(f2["mean anomaly"]), 0.0, 360.0, "mean anomaly (deg)"),
        bstar=_exp_field(f1["bstar"]),
        ndot=float(f1["ndot"]),
        nddot=_exp_field(f1["nddot"]),
        classification=f1["classification"],
        intl_desig=f1["international designator"].rstrip(),
        ephemeris_type=int(f1["ephemeris type"].strip() or 0),
        element_set=int(f1["element set number"].strip() or 0),
        rev_number=int(f2["revolution number"].strip() or 0),
    )


def _exp_text(x: float, what: str) -> str:
    """[sign]mmmmm[sign]e: x = 0.mmmmm x 10^e, e in [-9, 9]."""
    if x == 0.0:
        return " 00000+0"
    mant, exp = f"{abs(x):.4e}".split("e")
    e = int(exp) + 1
    if not -9 <= e <= 9:
        raise ValueError(f"TLE {what} {x} has no 8-column form (exponent {e})")
    return f"{'-' if x < 0 else ' '}{mant.replace('.', '')}{'-' if e < 0 else '+'}{abs(e)}"


def _angle_text(deg: float, what: str, top: float = 360.0) -> str:
    text = f"{deg + 0.0:8.4f}"  # + 0.0: no "-0.0000"
    if text == " -0.0000" or (top == 360.0 and text == "360.0000"):
        text = "  0.0000"
    if len(text) != 8 or not 0.0 <= float(text) <= top:
        raise ValueError(f"TLE {what} {deg} deg is outside [0, {top:g}]")
    return text


def _with_checksum(body: str) -> str:
    return body + str(checksum(body))


def format_lines(el: Elements) -> tuple[str, str]:
    """The two lines of ``el`` (columns of the TLE format, checksums).
    Fields round to their digits: the epoch to 1e-8 day, the angles to
    1e-4 deg, the eccentricity to 1e-7, the mean motion to 1e-8 rev/day.
    ValueError for a value the format cannot hold (the lines are read
    back by :func:`parse`)."""
    if not 0 <= el.satnum <= 99999:
        raise ValueError(f"TLE satellite number {el.satnum} is outside [0, 99999]")
    whole = el.epoch_jd - _JD_ORDINAL
    if whole != math.floor(whole) or not 0.0 <= el.epoch_jd_frac < 1.0:
        raise ValueError(f"TLE epoch {el.epoch_jd} + {el.epoch_jd_frac}: not a whole day "
                         "(x.5) and a fraction in [0, 1)")
    ordinal, frac = int(whole), round(el.epoch_jd_frac * 1e8)
    if frac >= 100_000_000:
        ordinal, frac = ordinal + 1, frac - 100_000_000
    day = date.fromordinal(ordinal)
    if not 1957 <= day.year <= 2056:
        raise ValueError(f"TLE epoch year {day.year} is outside 1957-2056")
    doy = ordinal - date(day.year, 1, 1).toordinal() + 1
    if not abs(el.ndot) < 1.0:
        raise ValueError(f"TLE ndot {el.ndot} is outside (-1, 1)")
    ndot = f"{el.ndot:.8f}".replace("0.", ".", 1)
    ecc = f"{el.ecc:.7f}"
    if not (ecc.startswith("0.") and el.ecc >= 0.0):
        raise ValueError(f"TLE eccentricity {el.ecc} is outside [0, 1)")
    n = f"{el.n_rev_day:11.8f}"
    if len(n) != 11 or not el.n_rev_day > 0.0:
        raise ValueError(f"TLE mean motion {el.n_rev_day} rev/day is outside (0, 100)")
    cls = el.classification or "U"
    line1 = (f"1 {el.satnum:05d}{cls:1.1s} {el.intl_desig:<8.8s} {day.year % 100:02d}{doy:03d}."
             f"{frac:08d} {ndot:>10s} {_exp_text(el.nddot, 'nddot')} "
             f"{_exp_text(el.bstar, 'bstar')} {el.ephemeris_type:1d} {el.element_set % 10000:4d}")
    line2 = (f"2 {el.satnum:05d} {_angle_text(el.incl_deg, 'inclination', 180.0)} "
             f"{_angle_text(el.raan_deg, 'raan')} {ecc[2:]} "
             f"{_angle_text(el.argp_deg, 'argument of perigee')} "
             f"{_angle_text(el.mean_anomaly_deg, 'mean anomaly')} {n}"
             f"{el.rev_number % 100000:5d}")
    line1, line2 = _with_checksum(line1), _with_checksum(line2)
    parse(line1, line2)  # the columns hold what they must (a field too wide moves the rest)
    return line1, line2


# ---------------------------------------------------------------- the core

def precession(t_tai: float) -> Mat:
    """IAU 1976 precession matrix P, mean J2000 -> mean of date (r_date = P r),
    from the core (gnc_precession_iau1976)."""
    P = ffi.new("double[9]")
    st = lib.gnc_precession_iau1976(float(t_tai), P)
    if st:
        raise error(st, "tle.precession")
    return ((P[0], P[1], P[2]), (P[3], P[4], P[5]), (P[6], P[7], P[8]))


def _model(el: Elements) -> Any:
    """The initialised core model (``gnc_sgp4 *``) of ``el``; ValueError
    (a GncError) when SGP4 refuses the elements."""
    s = ffi.new("gnc_sgp4 *")
    e = ffi.new("gnc_sgp4_elements *", {
        "epoch_jd": el.epoch_jd, "epoch_jd_frac": el.epoch_jd_frac, "n_rev_day": el.n_rev_day,
        "ecc": el.ecc, "incl_deg": el.incl_deg, "raan_deg": el.raan_deg,
        "argp_deg": el.argp_deg, "mean_anomaly_deg": el.mean_anomaly_deg, "bstar": el.bstar})
    st = lib.gnc_sgp4_init(s, e)
    if st:
        if s.error:
            cause = f"SGP4 error {s.error} at the epoch: {_SGP4_CODES.get(s.error, '?')}"
        elif el.n_rev_day > 0.0 and 0.0 <= el.ecc < 1.0:
            cause = (f"deep-space element set (mean motion {el.n_rev_day} rev/day, a period "
                     "of 225 min or more): only near-Earth SGP4 is provided, not SDP4")
        else:
            cause = (f"elements outside SGP4's domain (mean motion {el.n_rev_day} rev/day, "
                     f"eccentricity {el.ecc})")
        raise error(st, "tle (sgp4 init)", cause)
    return s


def _gcrf(s: Any, t_tai: float, tai_minus_utc: float) -> tuple[Vec3, Vec3]:
    r, v = ffi.new("double[3]"), ffi.new("double[3]")
    st = lib.gnc_tle_gcrf(s, float(t_tai), float(tai_minus_utc), r, v)
    if st:
        code, tsince = ffi.new("int *"), ffi.new("double *")
        lib.gnc_tle_tsince(s, float(t_tai), float(tai_minus_utc), tsince)
        lib.gnc_sgp4_code(s, tsince[0], code)
        raise error(st, "tle (sgp4)",
                    f"SGP4 error {code[0]} at t={t_tai:.0f} ({tsince[0]:.1f} min from the "
                    f"epoch): {_SGP4_CODES.get(code[0], '?')}")
    return (r[0], r[1], r[2]), (v[0], v[1], v[2])


def state(line1: str, line2: str, t_tai: float, tai_minus_utc: float = 37.0
          ) -> tuple[Vec3, Vec3]:
    """GCRF position (m) and velocity (m/s) at ``t_tai`` (TAI s since 1958)
    from the TLE; ``tai_minus_utc`` (s) turns it into the TLE's UTC.
    ValueError for a malformed TLE, one that SGP4 refuses (deep space
    included) or cannot propagate to ``t_tai`` (the SGP4 error is named)."""
    return _gcrf(_model(parse(line1, line2)), t_tai, tai_minus_utc)


# ------------------------------------------------------------ the inverse

def _mv(P: Mat, x: Sequence[float]) -> Vec3:
    return (P[0][0] * x[0] + P[0][1] * x[1] + P[0][2] * x[2],
            P[1][0] * x[0] + P[1][1] * x[1] + P[1][2] * x[2],
            P[2][0] * x[0] + P[2][1] * x[1] + P[2][2] * x[2])


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _norm(a: Sequence[float]) -> float:
    return math.sqrt(_dot(a, a))


def _equinoctial(r: Sequence[float], v: Sequence[float]) -> list[float]:
    """Osculating [n (rev/day), ex, ey, p, q, lambda (rad)] of a state (m,
    m/s) under SGP4's mu: ex + i ey = e exp(i (argp + raan)),
    p + i q = tan(i/2) exp(i (pi/2 - raan)), lambda = M + argp + raan (mean
    longitude). Basic arithmetic and one core atan2."""
    rn = _norm(r)
    v2 = _dot(v, v)
    rv = _dot(r, v)
    a = 1.0 / (2.0 / rn - v2 / _MU)
    if not a > 0.0:
        raise ValueError("from_state: the state is not a bound orbit")
    h = (r[1] * v[2] - r[2] * v[1], r[2] * v[0] - r[0] * v[2], r[0] * v[1] - r[1] * v[0])
    hn = _norm(h)
    w = (h[0] / hn, h[1] / hn, h[2] / hn)
    if not 1.0 + w[2] > 1e-9:
        raise ValueError("from_state: retrograde equatorial orbit (i = 180 deg) not supported")
    p = w[0] / (1.0 + w[2])
    q = -w[1] / (1.0 + w[2])
    k = 1.0 / (1.0 + p * p + q * q)
    f = ((1.0 - p * p + q * q) * k, 2.0 * p * q * k, -2.0 * p * k)
    g = (2.0 * p * q * k, (1.0 + p * p - q * q) * k, 2.0 * q * k)
    c = v2 - _MU / rn
    e = tuple((c * r[i] - rv * v[i]) / _MU for i in range(3))
    ex, ey = _dot(e, f), _dot(e, g)
    x1, y1 = _dot(r, f), _dot(r, g)
    root = math.sqrt(1.0 - ex * ex - ey * ey)
    beta = 1.0 / (1.0 + root)
    cos_F = ex + ((1.0 - ey * ey * beta) * x1 - ex * ey * beta * y1) / (a * root)
    sin_F = ey + ((1.0 - ex * ex * beta) * y1 - ex * ey * beta * x1) / (a * root)
    F = float(evaluate("atan2", sin_F, cos_F))
    lam = F + ey * cos_F - ex * sin_F
    return [math.sqrt(_MU / (a * a * a)) * _REV_DAY, ex, ey, p, q, lam]


def _wrap(x: float, period: float) -> float:
    """x modulo period, in [0, period) (exact: one subtraction per period)."""
    while x >= period:
        x -= period
    while x < 0.0:
        x += period
    return x


def _wrap_pi(x: float) -> float:
    return _wrap(x + math.pi, _TWO_PI) - math.pi


def _drift(el: Elements, dt_min: float) -> tuple[float, float, float]:
    """SGP4's secular motion (B* = 0) of ``el`` over ``dt_min`` minutes, rad:
    of the node, of the longitude of perigee and of the mean longitude."""
    s = _model(el)
    node = s.nodedot * dt_min
    perigee = node + s.argpdot * dt_min
    return node, perigee, perigee + s.mdot * dt_min


def _elements(m: Sequence[float], base: Elements,
              back: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> Elements:
    """SGP4 elements (deg) of mean equinoctial elements ``m`` (as
    :func:`_equinoctial`), the other fields from ``base``; node, longitude of
    perigee and mean longitude less ``back`` (rad, :func:`_drift`)."""
    n, ex, ey, p, q, lam = m
    raan, lon_perigee, half_i = evaluate(
        "atan2", (p, ey, math.sqrt(p * p + q * q)), (q, ex, 1.0)).tolist()
    raan, lon_perigee, lam = raan - back[0], lon_perigee - back[1], lam - back[2]
    return Elements(
        satnum=base.satnum, epoch_jd=base.epoch_jd, epoch_jd_frac=base.epoch_jd_frac,
        n_rev_day=n, ecc=math.sqrt(ex * ex + ey * ey), incl_deg=2.0 * half_i * _DEG,
        raan_deg=_wrap(raan * _DEG, 360.0),
        argp_deg=_wrap((lon_perigee - raan) * _DEG, 360.0),
        mean_anomaly_deg=_wrap(_wrap(lam - lon_perigee, _TWO_PI) * _DEG, 360.0))


def _epoch(t_tai: float, tai_minus_utc: float, rounded: bool = True) -> tuple[float, float]:
    """The UTC Julian date of ``t_tai`` split as the core splits it (whole
    day, fraction); ``rounded``: the fraction rounded to the TLE's 1e-8 day."""
    days = (t_tai - tai_minus_utc) / 86400.0
    whole = float(math.floor(days))
    frac = days - whole
    if rounded:
        k = round(frac * 1e8)
        if k >= 100_000_000:
            whole, k = whole + 1.0, k - 100_000_000
        frac = k / 1e8
    return _JD_1958 + whole, frac


def _fit(r_N: Sequence[float], v_N: Sequence[float], t_tai: float, epoch: tuple[float, float],
         satnum: int = 99999, tai_minus_utc: float = 37.0, tol_m: float = 1e-7,
         max_iter: int = 40) -> Elements:
    """Mean elements (unrounded, B* = 0) at the epoch ``epoch`` (as
    :func:`_epoch`) whose :func:`state` at ``t_tai`` is (r_N, v_N) (GCRF, m,
    m/s): fixed-point iteration m <- m + E(target) - E(SGP4(m)) on the
    equinoctial elements E (in TEME, the target rotated by the precession
    at t_tai). Stops below tol_m (position) and tol_m / 1000 s (velocity);
    ValueError when it does not reach 1 mm. About 6 steps (each contracts
    the residual about a hundredfold) reach the floor, 1e-8 m."""
    r_t = tuple(float(x) for x in r_N)
    v_t = tuple(float(x) for x in v_N)
    if len(r_t) != 3 or len(v_t) != 3:
        raise ValueError("from_state: r_N and v_N must have 3 elements")
    P = precession(t_tai)
    target = _equinoctial(_mv(P, r_t), _mv(P, v_t))
    base = Elements(satnum=satnum, epoch_jd=epoch[0], epoch_jd_frac=epoch[1], n_rev_day=1.0,
                    ecc=0.0, incl_deg=0.0, raan_deg=0.0, argp_deg=0.0, mean_anomaly_deg=0.0)
    # the iteration is on the mean elements at t_tai; the epoch's are those
    # carried back by SGP4's secular rates (B* = 0: linear in time)
    dt_min = (t_tai - ((epoch[0] - _JD_1958 + epoch[1]) * 86400.0 + tai_minus_utc)) / 60.0
    mean = list(target)
    best: tuple[float, Elements] | None = None
    for _ in range(max_iter):
        el = _elements(mean, base)
        if dt_min != 0.0:
            el = _elements(mean, base, _drift(el, dt_min))
        r, v = _gcrf(_model(el), t_tai, tai_minus_utc)
        dr = _norm((r[0] - r_t[0], r[1] - r_t[1], r[2] - r_t[2]))
        dv = _norm((v[0] - v_t[0], v[1] - v_t[1], v[2] - v_t[2]))
        err = dr + 1000.0 * dv
        if best is not None and err >= best[0] and best[0] < 1e-4:
            break  # at the rounding floor (about 1e-8 m)
        if best is None or err < best[0]:
            best = (err, el)
        if err < 2.0 * tol_m:
            break
        osc = _equinoctial(_mv(P, r), _mv(P, v))
        for i in range(5):
            mean[i] += target[i] - osc[i]
        mean[5] += _wrap_pi(target[5] - osc[5])
    assert best is not None
    if not best[0] < 1e-3:
        raise ValueError(f"from_state: the SGP4 fit did not converge (residual {best[0]:.3g} m)")
    return best[1]


def from_state(r_N: Sequence[float], v_N: Sequence[float], t_tai: float, satnum: int = 99999,
               tai_minus_utc: float = 37.0, epoch_tai: float | None = None) -> tuple[str, str]:
    """A TLE (line 1, line 2) whose :func:`state` at ``t_tai`` is the GCRF
    state (r_N m, v_N m/s): epoch ``epoch_tai`` (default ``t_tai``; rounded
    to 1e-8 day), near-Earth mean elements fitted to the state, B* = ndot =
    nddot = 0, satellite number ``satnum``. The text's digits leave the state
    within the bound of the module's docstring (about 5 m typically, under
    25 m in LEO): a rotation of the orbit, not a change of its energy (the
    mean motion's 8 decimals move the semi-major axis by millimetres), so
    the error does not drift. An epoch before ``t_tai`` makes an element set
    that predicts the state (a catalogue's TLE predicts the orbit for a day or
    two past its epoch). ValueError for a state SGP4 cannot express
    (unbound, deep space, retrograde equatorial) or an epoch more than
    :data:`MAX_PREDICT_S` from ``t_tai``."""
    t_ep = float(t_tai) if epoch_tai is None else float(epoch_tai)
    if not abs(float(t_tai) - t_ep) <= MAX_PREDICT_S:
        raise ValueError(f"from_state: the epoch is {abs(float(t_tai) - t_ep) / 86400.0:.3g} "
                         f"days from the state (at most {MAX_PREDICT_S / 86400.0:g})")
    el = _fit(r_N, v_N, t_tai, _epoch(t_ep, tai_minus_utc), satnum, tai_minus_utc)
    return format_lines(el)
