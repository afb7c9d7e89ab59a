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
    return f"could not save ({reason_of(exc)}); nothing was changed: {advice_for(exc)}"


def write_failed(path, exc: OSError) -> str:
    """The one line for a file the user asked for (an export, a report) that could not be
    written: the file as they named it, the real error, and what to do about it."""
    return f"could not write {path} ({reason_of(exc)}): {advice_for(exc, elsewhere='choose another folder')}"


def reason_of(exc: OSError) -> str:
    """The operating system's words for the error ("No space left on device")."""
    return exc.strerror or str(exc) or type(exc).__name__


def advice_for(exc: OSError, elsewhere: str = "") -> str:
    """What to do about a failed write. `elsewhere` is the way round it for a file the user
    named (another folder); without it, the advice is for the project's own files."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "free disk space and try again"
    if exc.errno == errno.EROFS:
        return f"the file system is read-only; remount it or {elsewhere or 'move the project'}, then try again"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission was denied; fix the folder's permissions or {elsewhere or 'move the project'}, then try again"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"the folder is gone or takes no files; {elsewhere or 'check the project folder is there'}, then try again"
    if exc.errno == errno.EPIPE:
        return "the program reading it stopped; start it first, then try again"
    if exc.errno == errno.ENAMETOOLONG:
        return "a name in the path is longer than the file system allows; use a shorter path"
    if exc.errno == errno.ELOOP:
        return "the path goes round a loop of symbolic links; give the folder's real path"
    return (
        "the disk or file system failed to write; check it (dmesg) or "
        f"{elsewhere or 'copy the project elsewhere'}, then try again"
    )
