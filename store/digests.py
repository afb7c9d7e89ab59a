"""The hashes the store uses, without importing hashlib.

`import hashlib` loads OpenSSL (about 13 ms, a tenth of a command line's own start-up
at 200,000 codings); CPython's built-in modules give the same digests at no cost. Where
they are absent (another Python build), hashlib's are used.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python without the built-in module
    from hashlib import blake2b
try:
    from _sha1 import sha1  # REFI-QDA's derived GUIDs (uuid5), store/refi/guids.py
except ImportError:  # pragma: no cover
    from hashlib import sha1
try:
    from _sha256 import sha256  # Python 3.11
except ImportError:  # pragma: no cover - 3.12 and later name it _sha2
    try:
        from _sha2 import sha256
    except ImportError:
        from hashlib import sha256

__all__ = ["blake2b", "sha1", "sha256"]
