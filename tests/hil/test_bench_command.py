"""``fsw bench`` end to end on the virtual board, and its user errors."""

from __future__ import annotations

import json

import pytest
from fsw_tools.cli import main


def test_bench_on_the_virtual_board(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--virtual", "--calls", "30", "--json"]) == 0
    out = capsys.readouterr().out
    assert "round trip: median" in out and "link: frames rx" in out
    res = json.loads(out.strip().splitlines()[-1])
    assert res["rtt_p50_ms"] > 0 and res["rtt_p99_ms"] >= res["rtt_p50_ms"]
    link = res["link"]
    assert link["crc_errors"] == 0 and link["seq_gaps"] == 0
    assert link["frames_tx"] >= 30 + 50  # the calls and the echo probes


def test_bench_qemu_back_to_back(
    firmware_build: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--qemu", "--calls", "20"]) == 0
    out = capsys.readouterr().out
    # one line per call kind: the 6 of the original session, the 6 added with #13
    # (navigation, CW transfer, sun, eclipse, thruster group, firing), the
    # propulsion's centre-of-mass update and the far-range phasing plan (#15),
    # the thrusters' torque about the centre of mass (#18's ADCS cycle), each
    # present in 20 calls
    assert out.count(" ok") == 15 and "FAIL" not in out
    assert "prop_com_update" in out and "phasing_plan" in out and "prop_com_torque" in out
    assert "bit-identical: 20/20" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["bench", "--port", "/dev/does-not-exist-fsw"],
        ["bench", "--virtual", "--calls", "0"],
    ],
)
def test_bench_user_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("fsw bench: error:") and "Traceback" not in err


def test_bench_flies_a_scenario_with_the_core_on_the_board(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bench", "--virtual", "victus_haze", "--duration", "5", "--json"]) == 0
    out = capsys.readouterr().out
    assert "mission outcome: same as desktop" in out
    res = json.loads(out.strip().splitlines()[-1])
    assert res["outcome_board"] == res["outcome_desktop"]
    assert res["board"]["calls"] >= 50  # 10 Hz ADCS cycles ran on the board


def test_bench_unknown_scenario_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--virtual", "no_such_scenario_fsw"]) == 2
    assert "Traceback" not in capsys.readouterr().err
