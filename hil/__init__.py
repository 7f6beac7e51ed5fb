"""The world beyond the flight computer: truth simulation, emulated sensors and
actuators, and the serial link to a board. Speaks to ``fsw`` only in packets."""
