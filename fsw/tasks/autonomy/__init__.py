"""The autonomy task: mission mode manager, rendezvous planning, FDIR and
collision avoidance (see :mod:`fsw.tasks.autonomy.task`)."""
