"""Acceptance 3: the pcap export decodes in tshark's CCSDS dissector with the
right APIDs and sequence counts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fsw_tools.archive import PCAP_UDP_PORT, ArchiveWriter, export_pcap, read_archive

TSHARK = shutil.which("tshark")


def _archive(tmp_path: Path, stream) -> Path:
    path = tmp_path / "a.fswarc"
    with ArchiveWriter(path) as w:
        for pkt, t in stream:
            w.write(pkt, t)
    return path


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_tshark_ccsds_dissector_reads_apids_and_sequence_counts(tmp_path: Path, stream) -> None:
    arc = read_archive(_archive(tmp_path, stream))
    pcap = tmp_path / "a.pcap"
    result = export_pcap(arc, pcap)
    assert (result.exported, result.skipped_too_large) == (len(stream), 0)
    proc = subprocess.run(
        [TSHARK, "-r", str(pcap), "-d", f"udp.port=={PCAP_UDP_PORT},ccsds",
         "-T", "fields", "-e", "ccsds.apid", "-e", "ccsds.seqnum", "-e", "ccsds.length",
         "-e", "frame.time_epoch"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    assert len(rows) == len(stream)
    for (pkt, t), (apid, seq, length, epoch) in zip(stream, rows, strict=True):
        assert int(apid) == ((pkt[0] & 7) << 8) | pkt[1]
        assert int(seq) == ((pkt[2] & 0x3F) << 8) | pkt[3]
        assert int(length) == len(pkt) - 7
        # receive time TAI -> Unix: 1958->1970 is 378691200 s, TAI-UTC 37 s
        assert abs(float(epoch) - (t - 378_691_200 - 37)) < 1e-5


def test_pcap_layout_without_tshark(tmp_path: Path, stream) -> None:
    """The file is a nanosecond pcap of Ethernet/IPv4/UDP frames whose payloads
    are exactly the packets (checked with plain struct parsing)."""
    import struct

    arc = read_archive(_archive(tmp_path, stream[:20]))
    pcap = tmp_path / "a.pcap"
    export_pcap(arc, pcap)
    raw = pcap.read_bytes()
    magic, _vmaj, _vmin, _tz, _sig, _snap, link = struct.unpack_from("<IHHiIII", raw)
    assert (magic, link) == (0xA1B23C4D, 1)
    pos = 24
    for pkt, _ in stream[:20]:
        _s, _ns, incl, orig = struct.unpack_from("<IIII", raw, pos)
        frame = raw[pos + 16 : pos + 16 + incl]
        assert incl == orig == 14 + 20 + 8 + len(pkt)
        assert struct.unpack_from("!H", frame, 14 + 20 + 2)[0] == PCAP_UDP_PORT
        assert frame[42:] == pkt
        pos += 16 + incl
    assert pos == len(raw)
