"""Lockstep synchronisation packets (APIDs 0x00C-0x00F), owned by the executive
(fsw/executive/lockstep.py).

They keep processes that share one bus through a broker in step: never
delivered to tasks, never part of the packet-stream hash.
"""

from fsw.packets.dictionary import Field, telemetry
from fsw.packets.types import U8, U16, U32, U64

HELLO = telemetry(0x00C, "HELLO", [
    Field("node", U16, "", "node id (0 = clock owner, 1.. = followers in stage order)"),
    Field("nodes", U16, "", "number of nodes the sender expects"),
    Field("ready", U8, "", "1 once the sender has heard every node"),
], "Start-up handshake of a multi-process lockstep run.")

TICK = telemetry(0x00D, "TICK", [
    Field("tick", U64, "", "tick index"),
    Field("stage", U16, "", "follower whose turn it is"),
    Field("stop", U8, "", "1: the run is over, the follower ends"),
], "Clock owner to one follower: everything before this is published, run "
   "your participants for this tick (the CUC header holds the tick's time).")

TICK_DONE = telemetry(0x00E, "TICK_DONE", [
    Field("tick", U64, "", "tick index"),
    Field("stage", U16, "", "the follower that finished"),
    Field("trailing", U32, "", "packets the follower published after its last turn began "
          "(in one process the next tick routes them)"),
], "Follower to clock owner: my participants ran; all I published precedes this.")

BARRIER = telemetry(0x00F, "BARRIER", [
    Field("node", U16, "", "node that sent it (and waits for its echo)"),
    Field("count", U32, "", "barrier number, per node"),
], "A node's own marker: when it comes back through the broker, every packet "
   "the node published before it has been delivered.")
