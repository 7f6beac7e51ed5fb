"""Same bits on every CPU path (issue #14, point 2): the short scenario run in
subprocesses under every ``OPENBLAS_CORETYPE`` this CPU can execute (chosen
from the flags in /proc/cpuinfo), with ``NPY_DISABLE_CPU_FEATURES`` set to the
CPU's non-baseline numpy features, and with both at their lowest.

- The world alone (avionics node + scripted commands, the short and the
  default scenario's set-up included) hashes the same on every path: the
  world's packets depend on nothing the platform chooses.
- In the whole mission, the first packet that differs from the default path
  is never a world packet (sensors 0x100-0x17F, truth 0x400-0x4FF): where the
  streams differ, the flight software's packets differ first.
- The whole mission has one hash on every path, and the run of the recorded
  stream (tests/data/short_run) reproduces the recorded hash on every path.

Each path is one subprocess (tests/mission/cpu_path_run.py), two at a time.
A core type that OpenBLAS maps onto the kernels of another one already run
(it names the core it took when OPENBLAS_VERBOSE=2) is not run twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fsw_tools.archive import read_archive

from fsw.packets import DICTIONARY
from fsw.packets.dictionary import PacketDef

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("cpu_path_run.py")

#: OpenBLAS core types and the CPU flags (/proc/cpuinfo) their kernels need
CORETYPES = {
    "Prescott": {"pni"},
    "Core2": {"pni", "ssse3"},
    "Nehalem": {"ssse3", "sse4_1", "sse4_2", "popcnt"},
    "Sandybridge": {"sse4_2", "avx"},
    "Haswell": {"avx", "avx2", "fma", "bmi1", "bmi2"},
    "Zen": {"avx", "avx2", "fma"},
    "SkylakeX": {"avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"},
    "Cooperlake": {"avx512f", "avx512bw", "avx512vl", "avx512_bf16"},
    "SapphireRapids": {"avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx512_fp16",
                       "amx_tile"},
}


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def numpy_extra_features() -> str:
    """The dispatchable (non-baseline) numpy features this CPU has."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return " ".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f))


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    env.update(extra)
    env["OPENBLAS_VERBOSE"] = "2"  # OpenBLAS names the core it took on stderr
    return env


def openblas_core(extra: dict[str, str]) -> str:
    """The kernel set OpenBLAS takes under ``extra`` ("" if it does not say)."""
    proc = subprocess.run([sys.executable, "-c", "import numpy"], env=_clean_env(extra),
                          capture_output=True, text=True, timeout=120)
    for line in proc.stderr.splitlines():
        if line.startswith("Core:"):
            return line.split(":", 1)[1].strip()
    return ""


def variants() -> dict[str, dict[str, str]]:
    flags = cpu_flags()
    out: dict[str, dict[str, str]] = {"default": {}}
    seen = {openblas_core({})}
    for core, need in CORETYPES.items():
        if need <= flags:
            took = openblas_core({"OPENBLAS_CORETYPE": core})
            if took and took in seen:
                continue
            seen.add(took)
            out[f"OPENBLAS_CORETYPE={core}"] = {"OPENBLAS_CORETYPE": core}
    extra = numpy_extra_features()
    if extra:
        out[f"NPY_DISABLE_CPU_FEATURES={extra}"] = {"NPY_DISABLE_CPU_FEATURES": extra}
        if "pni" in flags:
            out["lowest"] = {"OPENBLAS_CORETYPE": "Prescott", "NPY_DISABLE_CPU_FEATURES": extra}
    return out


def _run(name: str, extra_env: dict[str, str], out: Path) -> dict:
    proc = subprocess.run([sys.executable, str(WORKER), str(out)], env=_clean_env(extra_env),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{name}: {proc.stderr[-2000:]}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["openblas"] = [ln.split(":", 1)[1].strip() for ln in proc.stderr.splitlines()
                          if ln.startswith("Core:")]
    result["archive"] = out / "packets.fswarc"
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    if not cpu_flags():
        pytest.skip("no /proc/cpuinfo flags: cannot tell which CPU paths run here")
    base = tmp_path_factory.mktemp("cpu_paths")
    todo = variants()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_run, name, env, base / str(i))
                   for i, (name, env) in enumerate(todo.items())}
        return {name: f.result() for name, f in futures.items()}


def _is_world(apid: int) -> bool:
    return 0x100 <= apid <= 0x17F or 0x400 <= apid <= 0x4FF


def first_difference(a: Path, b: Path) -> tuple[int, int, str] | None:
    """(index, APID, packet name) of the first packet where two recorded
    streams differ, or None when they are equal."""
    pa, pb = list(read_archive(a).packets()), list(read_archive(b).packets())
    by_apid: dict[int, PacketDef] = {p.apid: p for p in DICTIONARY.values()}
    for i, (x, y) in enumerate(zip(pa, pb, strict=False)):
        if x != y:
            apid = ((x[0] << 8) | x[1]) & 0x7FF
            return i, apid, by_apid[apid].name if apid in by_apid else f"0x{apid:03X}"
    if len(pa) != len(pb):
        return min(len(pa), len(pb)), -1, "end of stream"
    return None


def test_the_paths_are_distinct_kernel_sets(runs: dict[str, dict]) -> None:
    """The OPENBLAS_CORETYPE variants ran on kernel sets of their own (as
    OpenBLAS reports them), besides the default's."""
    cores = {name: tuple(r["openblas"]) for name, r in runs.items()
             if name == "default" or name.startswith("OPENBLAS_CORETYPE=")}
    if not any(cores.values()):
        pytest.skip("this numpy's BLAS does not report its kernels (not OpenBLAS?)")
    assert len(set(cores.values())) == len(cores) >= 2, cores


def test_world_alone_has_one_hash_on_every_path(runs: dict[str, dict]) -> None:
    hashes = {name: r["world"] for name, r in runs.items()}
    ref = hashes["default"]
    assert {n: h for n, h in hashes.items() if h != ref} == {}


def test_world_packets_never_differ_first(runs: dict[str, dict]) -> None:
    ref = runs["default"]["archive"]
    for name, r in runs.items():
        diff = first_difference(ref, r["archive"])
        if diff is not None:
            assert not _is_world(diff[1]), f"{name}: first difference in a world packet {diff}"


def test_mission_has_one_hash_on_every_path(runs: dict[str, dict]) -> None:
    ref = runs["default"]["mission"]
    differing = {name: first_difference(runs["default"]["archive"], r["archive"])
                 for name, r in runs.items() if r["mission"] != ref}
    assert differing == {}


def test_the_recorded_stream_is_reproduced_on_every_path(runs: dict[str, dict]) -> None:
    recorded = json.loads((ROOT / "tests" / "data" / "short_run" / "summary.json")
                          .read_text())["packet_hash"]
    assert {name: r["recorded"] for name, r in runs.items()
            if r["recorded"] != recorded} == {}
    assert len(runs) >= 3  # the default path and at least two others
