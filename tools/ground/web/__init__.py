"""The web console (``fsw ground --web``): a browser C2 console on a running
emulator's ground link, served by Starlette/uvicorn on 127.0.0.1 by default.

- :mod:`.model`: the telemetry picture (latest values by packet with enum
  names, units, UTC and limit levels; strip-chart samples; events; alarms;
  link health with the stale-telemetry alarm);
- :mod:`.commanding`: command forms from the dictionary, checked, signed with
  the operator's key, hazardous commands armed then confirmed (enforced by
  the server);
- :mod:`.history`: the command history with its acknowledgements, on disk;
- :mod:`.app`: the ASGI application (routes, websocket, protections);
- :mod:`.server`: the process (``serve``), the link pump;
- ``static/``: the page (plain HTML, CSS and JavaScript; charts drawn on a
  canvas; no build step, no third-party script).

Everything on the pages is generated from the packet dictionary: adding a
packet, a field, an enum value or a limit needs no change here.
"""
