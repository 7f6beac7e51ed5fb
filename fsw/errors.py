"""Base of the errors that a user's input can cause (a bad scenario, file,
argument or command). The ``fsw`` command prints their message without a
traceback and exits with status 2."""


class UserError(Exception):
    """Raised for a user's mistake; the message says what and how to fix it."""
