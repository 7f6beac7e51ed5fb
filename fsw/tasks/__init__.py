"""The flight-software tasks: comms, adcs, propulsion and autonomy. Each talks
only through the bus and the guidance core (DESIGN.md)."""
