"""Subcommands of ``fsw``: one module each, discovered at start-up.

A module here defines ``add_parser(subparsers)``, which adds its parser and
sets ``func`` (called with the parsed arguments, returning an exit status).
Adding a command touches only its own file.
"""
