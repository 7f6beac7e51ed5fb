"""Scenario loader: defaults, built-ins, and clear errors naming the key."""

from __future__ import annotations

import re

import numpy as np
import pytest

from fsw import scenario
from fsw.errors import UserError


def test_builtin_default_loads_and_matches_code_defaults() -> None:
    sc = scenario.load_builtin()
    assert sc.source == "builtin:victus_haze"
    # the file repeats the code defaults: the data sheet and the code agree
    d = scenario.Scenario()
    assert sc.plan == d.plan
    assert np.allclose(sc.chaser.wheels.axes_b, d.chaser.wheels.axes_b, atol=1e-11)
    assert sc.chaser.rcs == d.chaser.rcs
    assert sc.mission.notice_to_launch_s == 16 * 3600 + 42 * 60


def test_every_builtin_is_valid() -> None:
    names = scenario.builtin_names()
    assert "victus_haze" in names
    for name in names:
        scenario.load_builtin(name)


def test_epoch_to_tai_against_mjd() -> None:
    # MJD 61192 (2026-06-01) - MJD 36204 (1958-01-01) = 24988 days; TAI-UTC = 37 s
    assert scenario.utc_to_tai("2026-06-01T00:00:00Z") == 24988 * 86400 + 37


def test_empty_dict_gives_defaults() -> None:
    sc = scenario.from_dict({})
    assert sc.plan.keep_out_m == 200.0  # the ISS figure (#16)
    assert sc.faults == []


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"plan": {"keep_outm": 1.0}}, "plan.keep_outm"),
        ({"plan": {"keep_out_m": "far"}}, "plan.keep_out_m"),
        ({"plan": {"keep_out_m": -1.0}}, "plan.keep_out_m"),
        ({"plan": {"inspection_drift_tol_m": -1.0}}, "plan.inspection_drift_tol_m"),
        ({"target": {"attitude": "tumbling"}}, "target.attitude"),
        ({"target": {"attitude_q_bn": [1.0, 1.0, 0.0, 0.0]}}, "target.attitude_q_bn"),
        ({"target": {"attitude_q_bn": [1.0, 0.0]}}, "target.attitude_q_bn"),
        ({"chaser": {"camera_sun_keepout_deg": 95.0}}, "chaser.camera_sun_keepout_deg"),
        ({"chaser": {"sensors": {"relnav_lidar_range_m": 6000.0}}},
         "chaser.sensors.relnav_lidar_range_m"),
        ({"chaser": {"sensors": {"relnav_phase_max_deg": 190.0}}},
         "chaser.sensors.relnav_phase_max_deg"),
        ({"chaser": {"sensors": {"relnav_sun_exclusion_deg": -1.0}}},
         "chaser.sensors.relnav_sun_exclusion_deg"),
        ({"chaser": {"sensors": {"relnav_needs_light": "yes"}}},
         "chaser.sensors.relnav_needs_light"),
        ({"chaser": {"sensors": {"relnav_angles_only": 1}}},
         "chaser.sensors.relnav_angles_only"),
        ({"chaser": {"sensors": {"relnav_limit_mag": 45.0}}}, "chaser.sensors.relnav_limit_mag"),
        ({"chaser": {"sensors": {"relnav_limit_mag": float("nan")}}},
         "chaser.sensors.relnav_limit_mag"),
        ({"chaser": {"sensors": {"relnav_earth_exclusion_deg": 91.0}}},
         "chaser.sensors.relnav_earth_exclusion_deg"),
        ({"chaser": {"sensors": {"relnav_earth_exclusion_deg": -1.0}}},
         "chaser.sensors.relnav_earth_exclusion_deg"),
        ({"craft": {"target": {"geometric_albedo": 0.0}}}, "craft.target.geometric_albedo"),
        ({"craft": {"target": {"geometric_albedo": 1.5}}}, "craft.target.geometric_albedo"),
        ({"craft": {"target": {"geometric_albedo": "grey"}}}, "craft.target.geometric_albedo"),
        ({"plan": {"inspection_radial_m": 110.0}}, "plan.inspection_radial_m"),
        ({"plan": {"inspection_radial_m": 0.0, "inspection_radius_m": 110.0}},
         "plan.inspection_radius_m"),
        ({"rates": {"nav_hz": 3.0}}, "rates.nav_hz"),
        ({"insertion": {"position_hill_m": [1.0, 2.0]}}, "insertion.position_hill_m"),
        ({"faults": [{"kind": "meteor"}]}, "faults[0].kind"),
        ({"faults": [{"kind": "wheel_fail", "index": 9}]}, "faults[0].index"),
        (
            {"chaser": {"wheels": {"axes_b": [[1.0, 0, 0], [0, 2.0, 0], [0, 0, 1.0]]}}},
            "chaser.wheels.axes_b[1]",
        ),
        (
            {"chaser": {"wheels": {"axes_b": [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0],
                                              [0.6, 0.8, 0], [0, 0.6, 0.8]]}}},
            "chaser.wheels.axes_b",
        ),
        ({"chaser": {"wheels": {"axes_b": [[1.0, 0, 0], [0, 1.0, 0]]}}}, "chaser.wheels.axes_b"),
        ({"mission": {"epoch_utc": "yesterday"}}, "yesterday"),
        ({"mission": {"seed": True}}, "mission.seed"),
        ({"dispersions": [{"key": "plan.nope"}]}, "dispersions[0].key"),
        ({"chaser": {"power": {"array_normal_b": [0.0, 0.0, 0.0]}}},
         "chaser.power.array_normal_b"),
        ({"chaser": {"power": {"array_normal_b": [0.0, 1.0]}}}, "chaser.power.array_normal_b"),
        ({"chaser": {"power": {"load_w": -5.0}}}, "chaser.power.load_w"),
        ({"chaser": {"power": {"battery_wh": 0.0}}}, "chaser.power.battery_wh"),
        ({"chaser": {"power": {"initial_soc": 1.2}}}, "chaser.power.initial_soc"),
        ({"chaser": {"power": {"charge_below_soc": 0.97}}}, "chaser.power.charge_below_soc"),
        ({"chaser": {"power": {"array_peak_w": "lots"}}}, "chaser.power.array_peak_w"),
    ],
)
def test_bad_values_name_the_key(data: dict, key: str) -> None:
    with pytest.raises(UserError, match=re.escape(key)):
        scenario.from_dict(data)


def test_file_errors(tmp_path) -> None:
    with pytest.raises(UserError, match="not found"):
        scenario.load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[plan\nkeep_out_m = 1\n")
    with pytest.raises(UserError, match="not valid TOML"):
        scenario.load(bad)
    with pytest.raises(UserError, match="no built-in scenario"):
        scenario.resolve("no_such_scenario")


def test_override_replaces_and_validates() -> None:
    sc = scenario.override(scenario.load_builtin(), plan__keep_out_m=50.0)
    assert sc.plan.keep_out_m == 50.0
    with pytest.raises(UserError, match=r"plan\.nope"):
        scenario.override(sc, plan__nope=1)
    with pytest.raises(UserError, match=r"plan\.keep_out_m"):
        scenario.override(sc, plan__keep_out_m=0.0)


# A published element set (ISS, 2019-12-09) and its checksums (the last digits)
ISS1 = "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991"
ISS2 = "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482"


def _tle_scenario(line1: str = ISS1, line2: str = ISS2, epoch: str = "2019-12-09T12:00:00Z",
                  **target) -> dict:
    return {"mission": {"epoch_utc": epoch, "notice_to_launch_s": 600.0},
            "target": {"tle_line1": line1, "tle_line2": line2, **target}}


def test_tle_checksums_match_the_published_lines() -> None:
    assert scenario.tle_checksum(ISS1) == int(ISS1[68])
    assert scenario.tle_checksum(ISS2) == int(ISS2[68])
    scenario.from_dict(_tle_scenario())


def test_a_tle_with_a_bad_checksum_is_refused() -> None:
    bad = ISS2[:30] + "9" + ISS2[31:]  # one digit changed, checksum kept
    with pytest.raises(UserError, match=r"target\.tle_line2.*checksum"):
        scenario.from_dict(_tle_scenario(line2=bad))


def test_an_old_tle_epoch_is_refused_unless_allowed() -> None:
    # the case: the element set 18 years older than the launch
    with pytest.raises(UserError, match=r"target.tle_line1.*days from the launch"):
        scenario.from_dict(_tle_scenario(epoch="2037-12-01T00:00:00Z"))
    scenario.from_dict(_tle_scenario(epoch="2037-12-01T00:00:00Z", tle_max_age_days=7000.0))
    assert scenario.tle_epoch_tai(ISS1) == pytest.approx(
        scenario.utc_to_tai("2019-12-09T00:00:00Z") + 0.69339541 * 86400, abs=1e-3)


def test_huge_times_are_refused_before_any_overflow() -> None:
    for key, value in (("notice_to_launch_s", 1e12), ("max_duration_s", 1e300)):
        with pytest.raises(UserError, match=f"mission.{key}"):
            scenario.from_dict({"mission": {key: value}})


def test_a_variant_states_only_what_differs_from_its_base() -> None:
    """``base = "NAME"``: the built-in scenario under the variant's keys;
    tables merge key by key, anything else replaces (the base's dispersions
    stay unless the variant gives its own). near_insertion is victus_haze
    (the default, inserted 300 km behind) but for its mission name, hard stop
    and insertion."""
    import dataclasses

    near = dataclasses.asdict(scenario.load_builtin("near_insertion"))
    vh = dataclasses.asdict(scenario.load_builtin("victus_haze"))
    assert vh["insertion"]["curvilinear"] and not near["insertion"]["curvilinear"]
    assert vh["insertion"]["position_hill_m"] == [-4000.0, -300000.0, 0.0]
    assert near["insertion"]["position_hill_m"] == [-4000.0, -40000.0, 0.0]
    assert (vh["mission"]["max_duration_s"], near["mission"]["max_duration_s"]) \
        == (100800.0, 50400.0)
    for part in ("target", "chaser", "plan", "dispersions", "rates", "craft", "onboard_drag"):
        assert near[part] == vh[part], part
    assert {k for k in near["mission"] if near["mission"][k] != vh["mission"][k]} \
        == {"name", "max_duration_s"}
    own = scenario.from_dict({"base": "victus_haze", "dispersions": []})
    assert own.dispersions == [] and own.plan == scenario.load_builtin().plan
    with pytest.raises(UserError, match="no built-in scenario 'nope'"):
        scenario.from_dict({"base": "nope"})
    with pytest.raises(UserError, match="'base': must be the name"):
        scenario.from_dict({"base": 3})


def test_wheel_slots_are_the_packets() -> None:
    """A scenario may fly as many wheels as WHEEL_CMD and WHEEL_TACH carry
    (read back from the packets' parsers, not from the dictionary's layout):
    a fifth wheel is refused at load, naming the limit, rather than faulting
    the ADCS in flight."""
    from fsw.packets.defs.actuators import WHEEL_CMD
    from fsw.packets.defs.avionics import WHEEL_TACH

    n = scenario.wheel_slots()
    for pdef, name in ((WHEEL_CMD, "torque"), (WHEEL_TACH, "speed")):
        values = tuple(float(i) for i in range(n))
        assert getattr(pdef.parse(pdef.build(t_tai=0.0, **{name: values})), name) == values
        with pytest.raises(Exception):  # noqa: B017 - any refusal: the field is n long
            pdef.build(t_tai=0.0, **{name: (*values, 0.0)})
    axes = [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.6, 0.8, 0], [0, 0.6, 0.8], [0.8, 0, 0.6]]
    assert len(scenario.from_dict({"chaser": {"wheels": {"axes_b": axes[:n]}}})
               .chaser.wheels.axes_b) == n
    with pytest.raises(UserError, match=f"3 to {n} wheel axes"):
        scenario.from_dict({"chaser": {"wheels": {"axes_b": axes[:n + 1]}}})
