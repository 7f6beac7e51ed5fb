"""The Basilisk anchor of the mission benchmark (issue #18): one spacecraft
with three reaction wheels, MRP-feedback flight software (inertial3D ->
attTrackingError -> mrpFeedback -> rwMotorTorque) and the dynamics (hub,
wheels, point-mass Earth, simpleNav) in one 10 Hz task, 6,000 s, no logging:
the set-up of Basilisk's ``scenarioAttitudeFeedbackRW``. Run in a fresh
process by ``tools/bench/mission.py``; needs ``pip install -e '.[anchors]'``.

    python tools/bench/anchor_basilisk.py [--duration S]

Prints one JSON line: ``basilisk_rtf`` (simulated s per wall s of
``ExecuteSimulation``), ``basilisk_cpu_rtf`` (per process-CPU s of it),
``wall_s``, ``cpu_s``, ``sim_s``, ``version``. Exit status 3 when Basilisk
is not installed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

#: the rate of the dynamics and of the flight software, s
DT_S = 0.1
#: simulated span, s
DURATION_S = 6000.0


def build(duration_s: float):  # returns a Basilisk SimBaseClass
    """The simulation, initialised, ready for ``ExecuteSimulation``."""
    from Basilisk.architecture import messaging
    from Basilisk.fswAlgorithms import attTrackingError, inertial3D, mrpFeedback, rwMotorTorque
    from Basilisk.simulation import reactionWheelStateEffector, simpleNav, spacecraft
    from Basilisk.utilities import (
        SimulationBaseClass,
        fswSetupRW,
        macros,
        orbitalMotion,
        simHelpers,
        simIncludeGravBody,
        simIncludeRW,
    )

    sim = SimulationBaseClass.SimBaseClass()
    proc = sim.CreateNewProcess("dyn")
    proc.addTask(sim.CreateNewTask("task", macros.sec2nano(DT_S)))

    sc = spacecraft.Spacecraft()
    sc.ModelTag = "sat"
    inertia = [900.0, 0.0, 0.0, 0.0, 800.0, 0.0, 0.0, 0.0, 600.0]
    sc.hub.mHub = 750.0
    sc.hub.r_BcB_B = [[0.0], [0.0], [0.0]]
    sc.hub.IHubPntBc_B = simHelpers.np2EigenMatrix3d(inertia)
    sc.hub.sigma_BNInit = [[0.1], [0.2], [-0.3]]
    sc.hub.omega_BN_BInit = [[0.001], [-0.01], [0.03]]

    rw_factory = simIncludeRW.rwFactory()
    model = messaging.BalancedWheels
    rw_factory.create("Honeywell_HR16", [1, 0, 0], maxMomentum=50.0, Omega=100.0, RWModel=model)
    rw_factory.create("Honeywell_HR16", [0, 1, 0], maxMomentum=50.0, Omega=200.0, RWModel=model)
    rw_factory.create("Honeywell_HR16", [0, 0, 1], maxMomentum=50.0, Omega=300.0,
                      rWB_B=[0.5, 0.5, 0.5], RWModel=model)
    wheels = reactionWheelStateEffector.ReactionWheelStateEffector()
    wheels.ModelTag = "wheels"
    rw_factory.addToSpacecraft(sc.ModelTag, wheels, sc)
    sim.AddModelToTask("task", wheels, 2)
    sim.AddModelToTask("task", sc, 1)

    grav = simIncludeGravBody.gravBodyFactory()
    earth = grav.createEarth()
    earth.isCentralBody = True
    grav.addBodiesTo(sc)

    nav = simpleNav.SimpleNav()
    nav.ModelTag = "nav"
    sim.AddModelToTask("task", nav)
    ref = inertial3D.inertial3D()
    ref.ModelTag = "inertial3D"
    ref.sigma_R0N = [0.0, 0.0, 0.0]
    sim.AddModelToTask("task", ref)
    err = attTrackingError.attTrackingError()
    err.ModelTag = "attError"
    sim.AddModelToTask("task", err)
    ctl = mrpFeedback.mrpFeedback()
    ctl.ModelTag = "mrpFeedback"
    ctl.K, ctl.Ki, ctl.P = 3.5, -1.0, 30.0
    ctl.integralLimit = 2.0 / ctl.Ki * 0.1
    sim.AddModelToTask("task", ctl)
    alloc = rwMotorTorque.rwMotorTorque()
    alloc.ModelTag = "rwMotorTorque"
    alloc.controlAxes_B = [1, 0, 0, 0, 1, 0, 0, 0, 1]
    sim.AddModelToTask("task", alloc)

    vehicle = messaging.VehicleConfigMsgPayload()
    vehicle.ISCPntB_B = inertia
    vehicle_msg = messaging.VehicleConfigMsg().write(vehicle)
    fswSetupRW.clearSetup()
    for rw in rw_factory.rwList.values():
        fswSetupRW.create(simHelpers.EigenVector3d2np(rw.gsHat_B), rw.Js, 0.2)
    rw_params = fswSetupRW.writeConfigMessage()

    oe = orbitalMotion.ClassicElements()
    oe.a, oe.e, oe.i = 10_000_000.0, 0.01, 33.3 * macros.D2R
    oe.Omega, oe.omega, oe.f = 48.2 * macros.D2R, 347.8 * macros.D2R, 85.3 * macros.D2R
    r_n, v_n = orbitalMotion.elem2rv(earth.mu, oe)
    sc.hub.r_CN_NInit = r_n
    sc.hub.v_CN_NInit = v_n

    nav.scStateInMsg.subscribeTo(sc.scStateOutMsg)
    err.attNavInMsg.subscribeTo(nav.attOutMsg)
    err.attRefInMsg.subscribeTo(ref.attRefOutMsg)
    ctl.guidInMsg.subscribeTo(err.attGuidOutMsg)
    ctl.vehConfigInMsg.subscribeTo(vehicle_msg)
    ctl.rwParamsInMsg.subscribeTo(rw_params)
    ctl.rwSpeedsInMsg.subscribeTo(wheels.rwSpeedOutMsg)
    alloc.rwParamsInMsg.subscribeTo(rw_params)
    alloc.vehControlInMsg.subscribeTo(ctl.cmdTorqueOutMsg)
    wheels.rwMotorCmdInMsg.subscribeTo(alloc.rwMotorTorqueOutMsg)

    sim.InitializeSimulation()
    sim.ConfigureStopTime(macros.sec2nano(duration_s))
    # keep the message objects alive for the run (SWIG holds no reference)
    sim._anchor_keep = (vehicle_msg, rw_params, grav)
    return sim


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=DURATION_S, help="simulated seconds")
    args = ap.parse_args(argv)
    try:
        import Basilisk
    except ImportError:
        print("Basilisk is not installed (pip install -e '.[anchors]')", file=sys.stderr)
        return 3
    sim = build(args.duration)
    c0, w0 = time.process_time(), time.perf_counter()
    sim.ExecuteSimulation()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(json.dumps({"basilisk_rtf": round(args.duration / wall, 1),
                      "basilisk_cpu_rtf": round(args.duration / cpu, 1),
                      "wall_s": round(wall, 4), "cpu_s": round(cpu, 4),
                      "sim_s": args.duration,
                      "version": getattr(Basilisk, "__version__", "unknown")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
