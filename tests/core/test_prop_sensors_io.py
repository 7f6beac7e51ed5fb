"""The propulsion task's IMU reader (``PropSensors.read``) called through
gnc_prop_sensors_read_io, the struct of its kept arguments (issue #18),
against gnc_prop_sensors_read called with every argument, on random streams
of good, invalid, non-finite and damaged GYRO and ACCEL packets, coasting or
not, in batches larger than the reader's buffers (they grow): the same
returned counts, the same statuses, refused packets, handed-back samples,
window and reader state, bit for bit. And the entry point's own checks."""

from __future__ import annotations

import math
import random

import pytest

from fsw.core._ffi import ffi, lib
from fsw.core.errors import GncError
from fsw.core.prop import PropSensors
from fsw.packets import DICTIONARY

GYRO, ACCEL = DICTIONARY["GYRO"], DICTIONARY["ACCEL"]


def _packet(k: int, rng: random.Random) -> bytes:
    bad = rng.choice([math.nan, math.inf, 0.1])
    if rng.random() < 0.5:
        raw = GYRO.build(t_tai=2.0e9 + 0.1 * k, seq=k & 0x3FFF,
                         rate_B=(rng.gauss(0, 1e-3), bad if rng.random() < 0.1 else 0.0, 0.0),
                         valid=rng.choice([0, 1, 1, 1]))
    else:
        raw = ACCEL.build(t_tai=2.0e9 + 0.1 * k, seq=k & 0x3FFF,
                          dv_B=(rng.gauss(1e-4, 3e-5), 0.0, bad if rng.random() < 0.1 else 0.0),
                          dt=rng.choice([0.1, 0.1, 0.1, 0.0, -1.0, 11.0]),
                          valid=rng.choice([0, 1, 1, 1]))
    roll = rng.random()
    if roll < 0.05:
        return raw[:-1] + bytes([raw[-1] ^ 1])  # CRC
    if roll < 0.08:
        return raw[:rng.randrange(2, len(raw))]  # cut short
    if roll < 0.1:
        return raw + b"\x00"  # a byte long
    return raw


class _Reference:
    """The reader called with every argument, its buffers made for each call."""

    def __init__(self, cal_s: float) -> None:
        self.s = ffi.new("gnc_prop_sensors *")
        assert lib.gnc_prop_sensors_init(self.s, cal_s) == 0

    def read(self, packets: list[bytes], coasting: bool):
        n = len(packets)
        lens = ffi.new("size_t[]", [len(p) for p in packets] or [0])
        status = ffi.new("uint8_t[]", max(n, 1))
        dv, dt = ffi.new("double[]", 3 * max(n, 1)), ffi.new("double[]", max(n, 1))
        st = lib.gnc_prop_sensors_read(self.s, b"".join(packets), lens, n, coasting, status,
                                       dv, dt)
        assert st == 0
        unread = [p for i, p in enumerate(packets) if status[i]]
        fired = [((dv[3 * k], dv[3 * k + 1], dv[3 * k + 2]), dt[k])
                 for k in range(self.s.n_fire)]
        return self.s.attention, unread, fired


@pytest.mark.parametrize("seed", range(6))
def test_read_through_the_kept_arguments_is_the_full_call(seed) -> None:
    rng = random.Random(seed)
    new, ref = PropSensors(3.0), _Reference(3.0)
    k = 0
    for _ in range(60):
        n = rng.choice([0, 1, 2, 2, 3, 5, 9, 17, 40])  # past the 8 packets it starts with
        packets = [_packet(k + i, rng) for i in range(n)]
        k += n
        coasting = rng.random() < 0.7
        got = new.read(packets, coasting)
        want, unread, fired = ref.read(packets, coasting)
        assert got == want
        assert new.unread(packets) == unread
        assert new.fired() == fired
        assert new.rejected == ref.s.rejected
        assert bytes(ffi.buffer(new.s)) == bytes(ffi.buffer(ref.s))
    assert new._cap >= 40


def test_the_io_entry_point_checks_its_arguments() -> None:
    s = PropSensors(3.0)
    assert lib.gnc_prop_sensors_read_io(ffi.NULL, ffi.NULL, 0, 1) == lib.GNC_ERR_NULL
    good = GYRO.build(t_tai=2.0e9, seq=0, rate_B=(0.1, 0.0, 0.0), valid=1)
    before = bytes(ffi.buffer(s.s))
    # more packets than the buffers hold: refused, nothing read
    assert lib.gnc_prop_sensors_read_io(s._io, good * (s._cap + 1), s._cap + 1,
                                        1) == lib.GNC_ERR_RANGE
    assert bytes(ffi.buffer(s.s)) == before
    # a reader the full call refuses: refused alike through the struct
    s._io.s = ffi.NULL
    with pytest.raises(GncError, match="prop_sensors_read"):
        s.read([good], True)
