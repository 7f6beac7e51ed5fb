"""Issue #21, build 1 and acceptance 3: a run as data. DataFrames against the
raw decoded tables, the UTC index against astropy (an independent TAI -> UTC),
typed Parquet against the dictionary's widths, CSV with enum names, and the
CCSDS OEM/AEM read back by independent readers (the ``oem`` package for the
OEM; lxml and XPath for the AEM) against the archive's truth and estimates."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fsw.packets import DICTIONARY


def test_frames_have_utc_index_units_categorical_enums_and_vector_columns(flown_run) -> None:
    from astropy.time import Time

    nav = flown_run.frame("nav_state")  # any case
    raw = flown_run.table("NAV_STATE")
    assert len(nav) == len(raw["t_tai"]) > 100
    # UTC index from the packet time; astropy's own leap-second table agrees
    t = Time(np.full(50, 2436204.5), raw["t_tai"][:50] / 86400.0, format="jd", scale="tai").utc
    want = pd.DatetimeIndex(t.to_datetime(), tz="UTC")
    assert (np.abs((nav.index[:50] - want).total_seconds()) < 1e-6).all()
    assert str(nav.index.tz) == "UTC" and nav.index.name == "utc"
    # vectors as columns, numbers in the dictionary's width, units in attrs
    assert np.array_equal(nav[["rho_H_0", "rho_H_1", "rho_H_2"]].to_numpy(), raw["rho_H"])
    assert nav["valid"].dtype == np.uint8
    assert nav.attrs["units"]["rho_H_1"] == "m" and nav.attrs["units"]["mean_motion"] == "rad/s"
    mode = flown_run.frame("MODE_STATUS")["mode"]
    assert isinstance(mode.dtype, pd.CategoricalDtype)
    names = DICTIONARY["MODE_STATUS"].enum_names("mode")
    assert mode.tolist() == [names[v] for v in flown_run.table("MODE_STATUS")["mode"]]
    assert {"launch", "commissioning", "phasing"} <= set(mode)


def test_decode_result_frame_is_what_pandas_wants(flown_run) -> None:
    # the pd.DataFrame(dec.table("NAV_STATE")) failed on 2-D columns;
    # the decode result gives the frame itself
    df = pd.DataFrame(flown_run.decoded.frame("NAV_STATE"))
    assert "rho_H_2" in df and df.shape[0] == len(flown_run.table("NAV_STATE")["t_tai"]) > 0


def test_events_are_whole(flown_run) -> None:
    ev = flown_run.events()
    assert ev["text"].str.len().max() > 40
    assert any("burn" in t and "done" in t for t in ev["text"])


def test_xarray_keeps_vectors_whole(flown_run) -> None:
    ds = flown_run.to_xarray("TRUTH_RELATIVE")
    raw = flown_run.table("TRUTH_RELATIVE")
    assert ds["r_H"].dims == ("utc", "r_H_component")
    assert np.array_equal(ds["r_H"].values, raw["r_H"])
    assert ds["r_H"].attrs["units"] == "m" and ds["range"].attrs["units"] == "m"


def test_parquet_column_types_equal_the_dictionary_widths(flown_run, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = flown_run.export_parquet(tmp_path)
    assert len(files) == len(flown_run.packets) > 20
    checked = 0
    for path in files:
        pdef = DICTIONARY[path.stem]
        schema = pq.read_schema(path)
        assert schema.metadata[b"packet"].decode() == pdef.name
        for f in pdef.fields:
            lay = pdef.layouts.get(f.name) if pdef.fixed else None
            if lay is None or lay.kind in ("string", "bytes"):
                continue
            names = [f"{f.name}_{j}" for j in range(lay.count)] if lay.kind == "array" \
                else [f.name]
            want = pa.from_numpy_dtype(np.dtype(lay.dtype).newbyteorder("="))
            for name in names:
                field = schema.field(name)
                got = field.type.index_type if lay.kind == "enum" else field.type
                assert got == want, (pdef.name, name, got, want)
                assert field.metadata[b"unit"].decode() == f.unit
                assert int(field.metadata[b"width_bits"]) == np.dtype(lay.dtype).itemsize * 8
                checked += 1
    assert checked > 150
    mode = pq.read_table(tmp_path / "MODE_STATUS.parquet").to_pandas()["mode"]
    assert set(mode) <= set(DICTIONARY["MODE_STATUS"].enum_names("mode").values())


def test_csv_has_enum_names_utc_and_units(flown_run, tmp_path: Path) -> None:
    from fsw_tools.cli import main

    assert main(["decode", str(flown_run.dir.root), "--csv", str(tmp_path),
                 "--apid", "MODE_STATUS", "--apid", "NAV_STATE"]) == 0
    with open(tmp_path / "MODE_STATUS.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["mode"] in ("launch", "standby") and rows[0]["utc"].endswith("Z")
    assert pd.Timestamp(rows[0]["utc"]) == flown_run.frame("MODE_STATUS").index[0]
    with open(tmp_path / "units.csv", encoding="utf-8") as f:
        units = {(r["packet"], r["column"]): r["unit"] for r in csv.DictReader(f)}
    assert units[("NAV_STATE", "rho_H_0")] == "m" and units[("NAV_STATE", "t_tai")] == "s"


def test_oem_and_aem_read_back_by_independent_readers_match_the_archive(flown_run,
                                                                        tmp_path: Path) -> None:
    pytest.importorskip("ccsds_ndm")
    from astropy.time import Time
    from lxml import etree
    from oem import OrbitEphemerisMessage

    files = {p.name: p for p in flown_run.export_ndm(tmp_path, step_s=30.0)}
    assert set(files) == {"CHASER_truth.oem.xml", "TARGET_truth.oem.xml",
                          "CHASER_estimate.oem.xml", "TARGET_estimate.oem.xml",
                          "CHASER_truth.aem.xml", "CHASER_estimate.aem.xml"}

    def tai(epoch) -> float:  # astropy: its own UTC -> TAI
        t = Time(epoch, scale="utc").tai
        return float((t.jd1 - 2436204.5) * 86400.0 + t.jd2 * 86400.0)

    truth = flown_run.table("TRUTH_CHASER")
    for name, table, r_key, v_key in (("CHASER_truth", truth, "r_N", "v_N"),
                                      ("TARGET_truth", flown_run.table("TRUTH_TARGET"), "r_N",
                                       "v_N"),
                                      ("CHASER_estimate", flown_run.table("GPS"), "r_N", "v_N")):
        oem = OrbitEphemerisMessage.open(files[f"{name}.oem.xml"])
        (seg,) = oem.segments
        assert seg.metadata["REF_FRAME"] == "GCRF" and seg.metadata["TIME_SYSTEM"] == "UTC"
        states = list(seg.states)
        assert len(states) > 50
        t_arc = np.asarray(table["t_tai"])
        for st in states[:: max(1, len(states) // 20)]:
            i = int(np.argmin(np.abs(t_arc - tai(st.epoch))))
            assert abs(t_arc[i] - tai(st.epoch)) < 1e-4
            assert np.allclose(np.asarray(st.position) * 1e3, table[r_key][i], rtol=0, atol=1e-6)
            assert np.allclose(np.asarray(st.velocity) * 1e3, table[v_key][i], rtol=0, atol=1e-9)
    # the target estimate: GPS + NAV_STATE relative position where valid
    nav, gps = flown_run.table("NAV_STATE"), flown_run.table("GPS")
    (seg,) = OrbitEphemerisMessage.open(files["TARGET_estimate.oem.xml"]).segments
    st = list(seg.states)[3]
    i = int(np.argmin(np.abs(gps["t_tai"] - tai(st.epoch))))
    j = int(np.argmin(np.abs(nav["t_tai"] - tai(st.epoch))))
    assert nav["valid"][j] == 1
    assert np.allclose(np.asarray(st.position) * 1e3, gps["r_N"][i] + nav["r_rel_N"][j], atol=1e-6)
    # AEM: lxml and XPath, not the writer's schema classes
    doc = etree.parse(str(files["CHASER_truth.aem.xml"]))
    assert doc.getroot().get("id") == "CCSDS_AEM_VERS"
    assert doc.findtext(".//REF_FRAME_A") == "GCRF" and doc.findtext(".//REF_FRAME_B") == \
        "SC_BODY_1"
    eph = doc.findall(".//quaternionEphemeris")
    assert len(eph) > 50
    t_arc = np.asarray(truth["t_tai"])
    for e in eph[:: max(1, len(eph) // 20)]:
        i = int(np.argmin(np.abs(t_arc - tai(e.findtext("EPOCH")))))
        q = [float(e.findtext(f"quaternion/{k}")) for k in ("QC", "Q1", "Q2", "Q3")]
        want = truth["q_BN"][i] / np.linalg.norm(truth["q_BN"][i])
        assert np.allclose(q, want, atol=1e-15)
