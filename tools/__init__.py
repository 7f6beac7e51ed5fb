"""The operator's and developer's side, installed as ``fsw_tools``: the ``fsw``
command (the composition root that wires flight software and world), ground
tools, benchmarks and campaigns."""
