"""The truth simulation: both spacecraft, their environment, the propulsion
plant, the sensor models and the faults. It speaks to ``fsw`` only through
packets (:mod:`hil.avionics`).

Modules
-------
- :mod:`hil.sim.config` -- ``WorldConfig`` and its parts (plain dataclasses,
  SI, every field defaulted; *assumed* values marked);
  :mod:`hil.sim.from_scenario` maps the mission's TOML scenario onto it.
- :mod:`hil.sim.world` -- ``World``: the native core ``hil._simcore``
  (native/sim, C99, no allocation, no globals) holding both craft in one
  caller-owned struct; one cffi call per tick, state as zero-copy numpy views.
- :mod:`hil.sim.sensors` -- the sensor models, in the same core
  (native/sim/src/sim_sensors.c, specified in native/sim/include/simsensors.h
  with the random generator); the core also builds the sensor and truth
  packets, with the layouts :mod:`hil.sim.packet_layout` generates from the
  packet dictionary.
- :mod:`hil.sim.timescales` -- UTC -> TAI -> TT and GMST in integer and plain
  IEEE arithmetic; :mod:`hil.sim.frames` -- Kepler elements (core), TLE -> N
  (sgp4 + ERFA).
- :mod:`hil.sim.faults`, :mod:`hil.sim.constants`.

Same bits everywhere: every value that reaches a packet (the dynamics, the
sensors and their noise, the truth, the initial states and time scales) comes
from the core, built with strict IEEE flags and the project's elementary
functions (native/src/gnc_math.h), or from integer / basic IEEE arithmetic in
Python -- never from numpy's CPU-chosen kernels or the platform's libm. The
exception is a target given as a TLE (sgp4 + ERFA, see :mod:`hil.sim.frames`)
and NRLMSIS (pymsis, Fortran on the platform's libm), whose densities reach the
core only as rounded nodes (:mod:`hil.sim.atmosphere` states why and the
residual risk).

Models (details in native/sim/include/simcore.h)
------------------------------------------------
- Orbit: two-body + J2 (EGM96) + optional drag (NRLMSIS 2.1 through pymsis
  with the scenario's space weather, or an exponential atmosphere;
  co-rotating) on each craft's box (projected area from its attitude) and
  optional solar radiation pressure (cylindrical shadow), classic RK4 at the
  scenario's fixed step (default 0.1 s, the lockstep tick). Energy and
  angular momentum hold to 1e-10 over a day.
- Mass properties: the propellant is a point mass at the tank; the centre of
  mass and the inertia about it follow the propellant mass, thruster torques
  are about the moving centre.
- Attitude: rigid body with up to 6 reaction wheels (torque and speed limits,
  smoothed Coulomb + viscous friction, failure), magnetorquers (saturated
  dipole x tilted-dipole field, IGRF-13 2020 degree 1), gravity gradient.
- Propulsion: up to 12 thrusters (thrust, Isp, minimum impulse bit, cone
  misalignment, stuck open/closed), propellant by the rocket equation,
  isothermal blowdown tank (thrust proportional to pressure). On-times may
  span several ticks; each tick is split at the on-times.
- Environment: low-precision solar ephemeris (within 0.01 deg of ERFA's
  epv00) precessed to J2000, cylindrical Earth shadow.

Frames
------
- N = GCRF (J2000 up to the 23 mas frame bias). TLEs: sgp4's TEME state
  rotated TEME -> true of date by the equation of the equinoxes (GAST06A -
  GMST82) and to GCRF by ERFA's pnm06a bias-precession-nutation matrix;
  agrees with skyfield's GCRS position of the same TLE within a millimetre.
- Body B: ``q_BN`` scalar first, ``v_B = R(q_BN) v_N``.
- Hill frame of the target: x radial out, y along-track, z orbit normal;
  the relative velocity is the rate seen in the rotating frame.
- Relative-navigation camera frame C: z_C = boresight (default body +z),
  x_C = body x projected normal to it; azimuth = atan2(x_C, z_C),
  elevation = asin(y_C / range) (with the default boresight: body axes).

Time: the world's clock is seconds since its epoch (``World.t``);
``World.tai`` is on-board time (TAI seconds since 1958-01-01).
"""
