"""Errors a user can cause. Each carries a one-line message that says what to do.

The command line turns them into `Error: <message>` and an exit code, never a traceback:
`Refused` exits 1 (the action was understood but cannot be done), `BadInput` exits 2
(the request itself is malformed: a wrong span, an unknown format), and so does
`UnknownName`: a document, code, speaker, coder, memo, attribute, participant or pseudonym
the user typed that the project does not have is a bad request, on every command alike.
`NotFound` itself exits 1: what was asked for is not there although every name in the
request is (no coding fits the span given, as grep finds no line), or an id the project
or a window referred to is gone.
"""


class MarginError(Exception):
    """Base of every error meant for the user."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Refused(MarginError):
    """The action is valid but cannot be carried out (would lose data, conflicts)."""


class NotFound(MarginError):
    """Nothing fits a request whose names all exist, or an id the project referred to is gone."""


class UnknownName(NotFound):
    """A name (or id) the user typed that the project does not have: bad input, as a
    malformed argument is. The message names what is missing and how to list what exists."""

    exit_code = 2


class BadInput(MarginError):
    """A file or argument Margin cannot use."""

    exit_code = 2


class NotAProject(MarginError):
    """The folder holds no Margin project."""


class ProjectLocked(MarginError):
    """Another Margin process holds the project for writing."""


class ProjectCorrupt(MarginError):
    """A project file cannot be read back; the message names the newest good backup."""


def save_failed(exc: OSError) -> str:
    """The one line for a change that could not be made durable: the real error, and what
    to do about that error (a full disk is not the same as a failing one)."""
    import errno

    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = "free disk space and try again"
    elif exc.errno == errno.EROFS:
        advice = "the file system is read-only; remount it or move the project, then try again"
    else:
        advice = "the disk or file system failed to write; check it (dmesg) or copy the project elsewhere, then try again"
    return f"could not save ({reason}); nothing was changed: {advice}"
