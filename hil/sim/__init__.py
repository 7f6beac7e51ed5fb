"""The truth simulation: orbits and attitude of both spacecraft (native core
``hil._simcore``), environment, propulsion plant, sensor models and faults.

Entry point: :class:`hil.sim.world.World` built from a
:class:`hil.sim.config.WorldConfig`.
"""
