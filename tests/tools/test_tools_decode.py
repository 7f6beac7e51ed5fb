"""``fsw decode``: archive -> one CSV per packet type, compared with the
dictionary's own per-packet codec; pcap export from the command line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fsw_tools.archive import ArchiveWriter, read_archive
from fsw_tools.archive.tables import decode_archive
from fsw_tools.cli import main
from ground_packets import field_values

from fsw.packets import DICTIONARY

T0 = 2.1e9


def _packets() -> list[bytes]:
    """A mixed stream: every 0.1 s ADCS_HK, every 5th tick COMMAND_ACK and EVENT,
    every 10th a MEMORY_DUMP segment (variable layout)."""
    out = []
    ack, event, adcs, dump = (DICTIONARY[n] for n in ("COMMAND_ACK", "EVENT", "ADCS_HK",
                                                         "MEMORY_DUMP"))
    for i in range(40):
        t = T0 + i * 0.1
        out.append(adcs.build(t_tai=t, seq=i, **field_values(adcs, i)))
        if i % 5 == 0:
            out.append(ack.build(t_tai=t, seq=i // 5, **field_values(ack, i)))
            out.append(event.build(t_tai=t, seq=i // 5, **{**field_values(event, i),
                                                           "text": f"event number {i} é"}))
        if i % 10 == 0:
            out.append(dump.build(t_tai=t, seq=i // 10, **field_values(dump, i)))
    return out


def _archive(tmp_path: Path, packets: list[bytes]) -> Path:
    path = tmp_path / "a.fswarc"
    with ArchiveWriter(path) as w:
        for k, pkt in enumerate(packets):
            w.write(pkt, T0 + 0.01 * k)
    return path


def test_tables_equal_the_dictionary_codec(tmp_path: Path) -> None:
    packets = _packets()
    result = decode_archive(read_archive(_archive(tmp_path, packets)))
    assert not result.errors
    for name, table in result.tables.items():
        pdef = DICTIONARY[name]
        recs = [pdef.parse(p) for p in packets if ((p[0] & 7) << 8 | p[1]) == pdef.apid]
        assert len(table["seq"]) == len(recs) > 0
        for col in recs[0]._fields:
            want = [getattr(r, col) for r in recs]
            got = table[col].tolist()
            if col == "t_tai" or isinstance(want[0], float):
                assert got == pytest.approx(want, abs=1e-9), (name, col)
            elif isinstance(want[0], tuple) and want[0] and isinstance(want[0][0], float):
                assert [tuple(g) for g in got] == want, (name, col)
            else:
                assert [tuple(g) if isinstance(g, list) else g for g in got] == want, (name, col)


def test_decode_command_writes_csv_per_type(tmp_path: Path) -> None:
    packets = _packets()
    arc = _archive(tmp_path, packets)
    out = tmp_path / "csv"
    assert main(["decode", str(arc), "--csv", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "ADCS_HK.csv", "COMMAND_ACK.csv", "EVENT.csv", "MEMORY_DUMP.csv", "units.csv"]
    with open(out / "ADCS_HK.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 40
    assert [float(r["q_BN_2"]) for r in rows] == pytest.approx(
        [DICTIONARY["ADCS_HK"].parse(p).q_BN[2] for p in packets if p[1] == 0x20])
    assert [float(r["recv_time"]) for r in rows] == pytest.approx(
        [T0 + 0.01 * k for k, p in enumerate(packets) if p[1] == 0x20], abs=1e-6)
    with open(out / "EVENT.csv", encoding="utf-8") as f:
        events = list(csv.DictReader(f))
    assert [e["text"] for e in events] == [f"event number {i} é" for i in range(0, 40, 5)]


def test_decode_apid_filter_by_name_and_number(tmp_path: Path) -> None:
    arc = _archive(tmp_path, _packets())
    out = tmp_path / "csv"
    assert main(["decode", str(arc), "--apid", "EVENT", "--apid", "0x010", "--csv",
                 str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["COMMAND_ACK.csv", "EVENT.csv", "units.csv"]


def test_decode_user_errors_are_one_line(tmp_path: Path, capsys) -> None:
    arc = _archive(tmp_path, _packets())
    assert main(["decode", str(arc), "--apid", "NOPE", "--csv", str(tmp_path / "o")]) == 2
    assert "NOPE" in capsys.readouterr().err
    assert main(["decode", str(tmp_path / "missing"), "--csv", str(tmp_path / "o")]) == 2
    assert main(["decode", str(arc)]) == 2


def test_decode_counts_corrupt_packets(tmp_path: Path) -> None:
    packets = _packets()
    bad = bytearray(packets[0])
    bad[20] ^= 1  # CRC-16 of the packet now fails (the archive record itself is intact)
    result = decode_archive(read_archive(_archive(tmp_path, [bytes(bad), *packets[1:]])))
    assert sum(result.errors.values()) == 1
    assert len(result.table("ADCS_HK")["seq"]) == 39


def test_packet_layer_bulk_decoder_reads_the_archive_buffer(tmp_path: Path) -> None:
    """The archive's contiguous packet buffer is the bulk decoder's input."""
    from fsw.packets import bulk

    packets = _packets()
    arc = read_archive(_archive(tmp_path, packets))
    res = bulk.decode_archive(arc.data)
    assert (res.packets, res.rejected, res.trailing) == (len(packets), 0, 0)
    adcs = res.arrays["ADCS_HK"]
    assert adcs["seq"].tolist() == list(range(40))
    assert len(res.records["MEMORY_DUMP"]) == 4


def test_parquet_writes_tables(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    arc = _archive(tmp_path, _packets())
    assert main(["decode", str(arc), "--parquet", str(tmp_path / "pq")]) == 0
    table = pq.read_table(tmp_path / "pq" / "ADCS_HK.parquet")
    assert table.num_rows == 40


def test_decode_writes_pcap_from_a_run_directory(tmp_path: Path) -> None:
    from fsw_tools.rundir import RunDir

    run = RunDir(tmp_path / "run").create()
    packets = _packets()
    with ArchiveWriter(run.archive) as w:
        for k, p in enumerate(packets):
            w.write(p, T0 + k)
    out = tmp_path / "x.pcap"
    assert main(["decode", str(run.root), "--pcap", str(out), "--apid", "EVENT"]) == 0
    raw = out.read_bytes()
    n_events = sum(1 for p in packets if p[1] == 0x02)
    # global header + one record (16 B) + Ethernet/IPv4/UDP (42 B) + packet per event
    assert len(raw) == 24 + sum(16 + 42 + len(p) for p in packets if p[1] == 0x02)
    assert n_events == 8


def test_a_packet_no_record_of_which_decodes_is_a_clear_error(tmp_path: Path) -> None:
    """BURN_STATUS as a dictionary without its last field (dv_dt) wrote it:
    well-formed packets (length field and CRC right) of the wrong length.
    Asking for its table is a user error that says so, not an empty table
    that would read as "no burn flown"; the other tables are read."""
    from fsw_tools.analysis.run import Run
    from fsw_tools.archive.tables import UndecodedPacketError

    from fsw.packets.codec import crc16
    from fsw.packets.enums import BurnStatusState

    bs = DICTIONARY["BURN_STATUS"]
    old = []
    for i in range(3):
        raw = bytearray(bs.build(t_tai=T0 + i, seq=i, burn_id=1, state=BurnStatusState.FIRING,
                                 dv_done=0.1 * i, dv_total=0.1 * i, thrusters_ok=255,
                                 propellant=10.0, dv_N=(0.1 * i, 0.0, 0.0), dv_dt=-0.4))
        raw = raw[:-10]  # dv_dt (8 bytes) and the CRC go
        n = len(raw) + 2 - 7
        raw[4:6] = n.to_bytes(2, "big")
        raw += crc16(raw).to_bytes(2, "big")
        old.append(bytes(raw))
    result = decode_archive(read_archive(_archive(tmp_path, [*_packets(), *old])))
    assert result.errors == {"BURN_STATUS: wrong length": 3}
    with pytest.raises(UndecodedPacketError, match=r"3 such packets.*another version"):
        result.table("BURN_STATUS")
    assert len(result.table("ADCS_HK")["seq"]) == 40
    assert result.table("PROP_HK") == {}  # none in the archive: no error
    # the analysis API says the same
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (tmp_path / "a.fswarc").rename(run_dir / "packets.fswarc")
    with pytest.raises(UndecodedPacketError):
        Run(run_dir).table("BURN_STATUS")
