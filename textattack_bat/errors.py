"""The user's-input errors: raised where an argument, a file or a setting a user gave is wrong,
each with a one-line message naming the problem and the fix. The command lines print them as one
line and exit 2 (a usage error); any other exception is a bug and keeps its traceback."""

from __future__ import annotations


class UsageError(ValueError):
    """A value, file or setting the user gave that cannot be used; the message says why and
    what to give instead."""


class MissingFileError(UsageError, FileNotFoundError):
    """A file or folder the user named does not exist (or lacks what it must hold)."""
