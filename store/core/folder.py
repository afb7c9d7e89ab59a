"""A project folder's path: deep enough to hold every file Margin makes below it."""

from __future__ import annotations

import os
from pathlib import Path

from store.errors import Refused

# Room for the longest path Margin makes inside a project: a temporary file of a codings
# file in a backup or damaged/ folder is about 110 bytes below the project folder.
PATH_ROOM = 160


def check_path_length(path: Path) -> None:
    """Refuse a project folder so deep that the files Margin makes below it (backups above
    all) would pass the system's limit on a path's length: every write would fail later."""
    try:
        limit = os.pathconf(path if path.exists() else path.parent, "PC_PATH_MAX")
    except OSError:
        limit = 4096
    length = len(os.fsencode(os.path.abspath(path)))
    if length + PATH_ROOM > limit:
        raise Refused(
            f"the project folder's path is {length} bytes long and this system allows {limit} for a whole path, "
            f"leaving too little room for the project's own files; move it to a path under {limit - PATH_ROOM} bytes"
        )
