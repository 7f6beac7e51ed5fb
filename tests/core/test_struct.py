"""Result decodes each member straight from the bytes: the values must be the
ones numpy's structured view of the same bytes gives (bit for bit, same type)."""

from __future__ import annotations

import numpy as np
import pytest

from fsw.core._ffi import ffi
from fsw.core._struct import CStruct, Result, flat_fields, struct_dtype

#: doubles, ints, unsigned ints, arrays and nested structs between them
STRUCTS = ["gnc_adcs_in", "gnc_adcs_out", "gnc_mekf_out", "gnc_relnav_out", "gnc_adcs_config",
           "gnc_glideslope_plan", "gnc_lambert_req", "gnc_adcs", "gnc_mekf", "gnc_dispatcher"]


def _reference(raw: bytes, dtype: np.dtype, name: str):
    """The decoding through the numpy structured view (the original path)."""
    v = np.frombuffer(raw, dtype=dtype)[name][0]
    if isinstance(v, np.ndarray):
        return v.copy()
    if v.dtype.names:
        return v
    return v.item()


@pytest.mark.parametrize("cname", STRUCTS)
def test_members_match_the_numpy_view(cname: str) -> None:
    dtype = struct_dtype(cname)
    rng = np.random.default_rng(7)
    for trial in range(20):
        if trial == 0:
            raw = bytes(ffi.sizeof(cname))
        else:
            # random bytes: every bit pattern (NaNs, infinities, negative ints)
            raw = rng.integers(0, 256, ffi.sizeof(cname), dtype=np.uint8).tobytes()
        r = Result(raw, dtype)
        for name in dtype.names:
            want, got = _reference(raw, dtype, name), getattr(r, name)
            assert type(got) is type(want), name
            if isinstance(want, np.ndarray):
                assert got.dtype == want.dtype and got.shape == want.shape
                assert got.tobytes() == want.tobytes(), name
                assert got.flags.writeable
            elif isinstance(want, float):
                assert np.float64(got).tobytes() == np.float64(want).tobytes(), name
            elif isinstance(want, np.void):
                assert got.tobytes() == want.tobytes(), name
            else:
                assert got == want, name


def test_array_members_are_independent_copies() -> None:
    s = CStruct("gnc_adcs_out")
    s.view("q_BN")[:] = (1.0, 2.0, 3.0, 4.0)
    r = s.result()
    q = r.q_BN
    q[0] = 99.0
    s.view("q_BN")[:] = 0.0
    assert r.q_BN.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert r["q_BN"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_unknown_member_is_an_attribute_error() -> None:
    r = CStruct("gnc_adcs_out").result()
    with pytest.raises(AttributeError):
        r.no_such_member  # noqa: B018
    with pytest.raises(KeyError):
        r["no_such_member"]
    with pytest.raises(AttributeError):
        r._private  # noqa: B018


@pytest.mark.parametrize("cname", STRUCTS)
def test_values_are_the_array_members_as_plain_scalars(cname: str) -> None:
    """Result.values(name): the numpy view's elements bit for bit, as Python
    floats (ints); a scalar or unknown member is a KeyError."""
    dtype = struct_dtype(cname)
    rng = np.random.default_rng(8)
    raw = rng.integers(0, 256, ffi.sizeof(cname), dtype=np.uint8).tobytes()
    r = Result(raw, dtype)
    arrays = 0
    for name in dtype.names:
        want = _reference(raw, dtype, name)
        if not isinstance(want, np.ndarray) or want.ndim != 1 or want.dtype.names:
            if name in r._lay:
                with pytest.raises(KeyError):
                    r.values(name)
            continue
        got = r.values(name)
        assert type(got) is tuple and len(got) == want.size, name
        assert all(type(v) is type(w) for v, w in zip(got, want.tolist(), strict=True)), name
        assert np.array_equal(np.array(got, dtype=want.dtype).view(np.uint8),
                              want.view(np.uint8)), name
        arrays += 1
    with pytest.raises(KeyError):
        r.values("no_such_member")
    if cname == "gnc_adcs_out":
        assert arrays >= 4  # wheel_cmd, dipole_B, q_BN, w_B, ...


def _from_fields_numpy(cname: str, values: dict) -> bytes:
    """The struct's bytes written member by member through the numpy view
    (the way Result.from_fields worked before it packed with struct)."""
    s = CStruct(cname)
    flat = s.flat_view()
    for name, n, ctyp in s.fields:
        a = np.asarray(values[name], dtype=np.float64).reshape(-1)
        flat[name][...] = (a if n > 1 else a[0]) if ctyp == "double" else np.rint(a)
    return bytes(s.result()._b)


@pytest.mark.parametrize("cname", ["gnc_adcs_out", "gnc_adcs_in", "gnc_nav_out",
                                   "gnc_nav_config", "gnc_relnav_out", "gnc_mekf_out"])
def test_from_fields_packs_the_bytes_the_numpy_view_writes(cname: str) -> None:
    """Packet values (floats, tuples, numpy arrays; integer members as
    floats, halves included) give the same struct bytes both ways."""
    rng = np.random.default_rng(7)
    for trial in range(20):
        values: dict = {}
        for name, n, ctyp in flat_fields(cname):
            if ctyp == "double":
                x = rng.normal(0.0, 10.0 ** rng.integers(-12, 12), n)
            else:
                x = rng.integers(-3, 40, n) + rng.choice([0.0, 0.5, 0.25], n)
            kind = trial % 3
            values[name] = (float(x[0]) if n == 1 else
                            tuple(x.tolist()) if kind == 0 else x if kind == 1 else list(x))
        assert Result.from_fields(cname, values)._b == _from_fields_numpy(cname, values)


@pytest.mark.parametrize("cname", [*STRUCTS, "gnc_nav_out", "gnc_nav_in"])
def test_flat_is_every_decoded_member_at_its_index(cname: str) -> None:
    """Result.flat(): one tuple of every member the properties decode, each
    at its index (scalar) or slice (array), bit for bit the numpy view's."""
    dtype = struct_dtype(cname)
    rng = np.random.default_rng(9)
    raw = rng.integers(0, 256, ffi.sizeof(cname), dtype=np.uint8).tobytes()
    r = Result(raw, dtype)
    flat, index = r.flat()
    assert set(index) == set(r._lay)
    covered = 0
    for name, at in index.items():
        want = _reference(raw, dtype, name)
        if isinstance(at, slice):
            got = flat[at]
            assert np.array_equal(np.array(got, dtype=want.dtype).view(np.uint8),
                                  want.view(np.uint8)), name
            assert got == r.values(name) or any(x != x for x in got), name
            covered += len(got)
        else:
            got = flat[at]
            assert type(got) is type(want), name
            assert np.array(got, dtype=dtype.fields[name][0]).tobytes() == \
                np.array(want, dtype=dtype.fields[name][0]).tobytes(), name
            covered += 1
    assert covered == len(flat)
