"""CCSDS Navigation Data Messages of a run: an Orbit Ephemeris Message (OEM,
CCSDS 502.0-B-3) and an Attitude Ephemeris Message (AEM, CCSDS 504.0-B-2),
in NDM/XML 4.0, built with the ``ccsds-ndm`` library's schema models
(an optional dependency: ``pip install 'rpo-fsw-emulator[ndm]'``; note that
ccsds-ndm is GPL-3.0 licensed, this project Apache-2.0).

One message per object and source (an OEM describes one object), in files
named ``<OBJECT>_<source>.oem.xml`` / ``.aem.xml``. OEMs (GCRF, Earth centre,
UTC epochs; km and km/s as the standard wants):

* ``CHASER_truth`` / ``TARGET_truth``: TRUTH_CHASER / TRUTH_TARGET (``r_N``, ``v_N``);
* ``CHASER_estimate``: the on-board GPS solution (GPS ``r_N``, ``v_N``), which
  is what the flight software knows of its own orbit;
* ``TARGET_estimate``: that solution plus the relative navigation solution
  (NAV_STATE ``r_rel_N``, ``v_rel_N``, target minus chaser) at the packet
  times both hold, where NAV_STATE is valid.

AEMs (``GCRF`` to ``SC_BODY_1``: the project's ``q_BN``, which maps
inertial coordinates to body ones; scalar last in the message): the chaser's
true attitude (TRUTH_CHASER ``q_BN``) and its on-board estimate (ADCS_STATE
``q_BN``). The target's attitude is not simulated, so it has no segment.

``step_s`` thins each message to one state every ``step_s`` seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from fsw_tools.files import atomic_write

from fsw.errors import UserError
from fsw.timescale import tai_to_unix_ns

ORIGINATOR = "rpo-fsw-emulator"
Tables = Mapping[str, Mapping[str, np.ndarray]]


@dataclass
class Segment:
    """One object's states: packet times (TAI s), positions and velocities
    (m, m/s) or quaternions (scalar first)."""

    name: str
    object_id: str
    t_tai: np.ndarray
    a: np.ndarray
    b: np.ndarray | None = None
    comment: str = ""


def _models() -> tuple[Any, Any, Any, Any]:
    try:
        from ccsds_ndm.models.ndmxml4 import ndmxml_4_0_0_aem_2_0 as aem
        from ccsds_ndm.models.ndmxml4 import ndmxml_4_0_0_common_4_0 as common
        from ccsds_ndm.models.ndmxml4 import ndmxml_4_0_0_oem_3_0 as oem
        from ccsds_ndm.ndm_xml_io import NdmXmlIo
    except ImportError:
        raise UserError("OEM/AEM export needs ccsds-ndm (pip install ccsds-ndm, or the "
                        "package's [ndm] extra)") from None
    return oem, aem, common, NdmXmlIo


def epochs(t_tai: np.ndarray) -> list[str]:
    """UTC epochs (ISO 8601, microseconds) of TAI seconds since 1958."""
    ns = tai_to_unix_ns(t_tai).astype("datetime64[ns]")
    return [str(s) for s in np.datetime_as_string(ns, unit="us")]


def _thin(t: np.ndarray, step_s: float | None) -> np.ndarray:
    if not step_s or len(t) == 0:
        return np.arange(len(t))
    k = np.floor((t - t[0]) / step_s + 1e-9)
    return np.flatnonzero(np.r_[True, k[1:] != k[:-1]])


def _sub(seg: Segment, step_s: float | None) -> Segment:
    i = _thin(seg.t_tai, step_s)
    return Segment(seg.name, seg.object_id, seg.t_tai[i], seg.a[i],
                   None if seg.b is None else seg.b[i], seg.comment)


def orbit_segments(tables: Tables) -> list[Segment]:
    """The OEM segments a run's tables hold (see the module)."""
    out = []
    for pname, obj, oid in (("TRUTH_CHASER", "CHASER", "CHASER"),
                            ("TRUTH_TARGET", "TARGET", "TARGET")):
        t = tables.get(pname)
        if t and len(t["t_tai"]):
            out.append(Segment(f"{obj} truth", oid, t["t_tai"], t["r_N"], t["v_N"],
                               f"truth from {pname} (the simulation)"))
    gps, nav = tables.get("GPS"), tables.get("NAV_STATE")
    if gps and len(gps["t_tai"]):
        out.append(Segment("CHASER estimate", "CHASER", gps["t_tai"], gps["r_N"], gps["v_N"],
                           "on-board estimate: the GPS solution (GPS packets)"))
        if nav and len(nav["t_tai"]):
            valid = np.asarray(nav["valid"]) == 1
            key_g = np.round(gps["t_tai"] * 65536).astype(np.int64)
            key_n = np.round(nav["t_tai"][valid] * 65536).astype(np.int64)
            _, ig, iv = np.intersect1d(key_g, key_n, return_indices=True)
            if len(ig):
                r = gps["r_N"][ig] + nav["r_rel_N"][valid][iv]
                v = gps["v_N"][ig] + nav["v_rel_N"][valid][iv]
                out.append(Segment("TARGET estimate", "TARGET", gps["t_tai"][ig], r, v,
                                   "on-board estimate: GPS solution + NAV_STATE r_rel_N, "
                                   "v_rel_N"))
    return out


def attitude_segments(tables: Tables) -> list[Segment]:
    """The AEM segments a run's tables hold (see the module)."""
    out = []
    for pname, label in (("TRUTH_CHASER", "truth"), ("ADCS_STATE", "estimate")):
        t = tables.get(pname)
        if t and len(t["t_tai"]) and "q_BN" in t:
            q = np.asarray(t["q_BN"], float)
            out.append(Segment(f"CHASER {label}", "CHASER", t["t_tai"],
                               q / np.linalg.norm(q, axis=1, keepdims=True),
                               comment=f"{label} from {pname}.q_BN"))
    return out


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def oem_xml(seg: Segment, step_s: float | None = None) -> str:
    """The OEM (NDM/XML) of one object's orbit segment."""
    oem, _, common, Io = _models()
    seg = _sub(seg, step_s)
    ep = epochs(seg.t_tai)
    km, kms = common.PositionTypeUo, common.VelocityTypeUo
    assert seg.b is not None
    states = [oem.StateVectorAccType(
        epoch=e, x=km(value=r[0] / 1e3), y=km(value=r[1] / 1e3), z=km(value=r[2] / 1e3),
        x_dot=kms(value=v[0] / 1e3), y_dot=kms(value=v[1] / 1e3), z_dot=kms(value=v[2] / 1e3))
        for e, r, v in zip(ep, seg.a.tolist(), seg.b.tolist(), strict=True)]
    meta = oem.OemMetadata(comment=[seg.comment], object_name=seg.object_id,
                           object_id=seg.object_id, center_name="EARTH", ref_frame="GCRF",
                           time_system="UTC", start_time=ep[0], stop_time=ep[-1])
    body = oem.OemBody(segment=[oem.OemSegment(metadata=meta,
                                               data=oem.OemData(state_vector=states))])
    msg = oem.OemType(header=oem.OdmHeader(comment=[seg.name], creation_date=_now(),
                                           originator=ORIGINATOR), body=body)
    return Io().to_string(msg)


def aem_xml(seg: Segment, step_s: float | None = None) -> str:
    """The AEM (NDM/XML) of one object's attitude segment."""
    _, aem, common, Io = _models()
    seg = _sub(seg, step_s)
    ep = epochs(seg.t_tai)
    states = [aem.AttitudeStateType(quaternion_ephemeris=common.QuaternionEphemerisType(
        epoch=e, quaternion=common.QuaternionType(q1=q[1], q2=q[2], q3=q[3], qc=q[0])))
        for e, q in zip(ep, seg.a.tolist(), strict=True)]
    meta = aem.AemMetadata(comment=[seg.comment], object_name=seg.object_id,
                           object_id=seg.object_id, center_name="EARTH",
                           ref_frame_a="GCRF", ref_frame_b="SC_BODY_1",
                           time_system="UTC", start_time=ep[0], stop_time=ep[-1],
                           attitude_type=aem.AttitudeTypeType.QUATERNION_1)
    body = aem.AemBody(segment=[aem.AemSegment(metadata=meta,
                                               data=aem.AemData(attitude_state=states))])
    msg = aem.AemType(header=aem.AdmHeader(comment=[seg.name], creation_date=_now(),
                                           originator=ORIGINATOR), body=body)
    return Io().to_string(msg)


def file_name(seg: Segment, kind: str) -> str:
    """``CHASER_truth.oem.xml`` and the like."""
    return f"{seg.name.replace(' ', '_')}.{kind}.xml"


def write_ndm(tables: Tables, folder: Path, step_s: float | None = None) -> list[Path]:
    """One OEM per craft and source (truth, estimate) and one AEM per
    attitude source, in ``folder``; returns the files written."""
    from fsw_tools.files import output_dir

    orbits, attitudes = orbit_segments(tables), attitude_segments(tables)
    if not orbits and not attitudes:
        raise UserError("no orbit or attitude states in this run (no TRUTH_CHASER, "
                        "TRUTH_TARGET, GPS or ADCS_STATE packets): nothing to export")
    folder = output_dir(folder)
    out = []
    for segs, kind, make in ((orbits, "oem", oem_xml), (attitudes, "aem", aem_xml)):
        for seg in segs:
            path = folder / file_name(seg, kind)
            atomic_write(path, make(seg, step_s))
            out.append(path)
    return out
