"""The named coders' codings as bare spans, for `margin agreement`.

Agreement needs of a coding only its code, its two ends and whose it is; building every
coding of the project as a `Coding` (and indexing it) is most of a read-only command's
time at 50,000 codings. When a read-only open's codings are exactly the files its
checkpoint record names (store/codings_files.py `trusted_files`: no coding in the log
tail, no writer's checkpoint since), only the named coders' files are read, each checked
against the digest the record holds and decoded (msgspec) into (code, start, end) with
every other field skipped. Any doubt (a file not the one recorded, one that does not
decode) gives None, and the caller takes the plain path over `project.state`, which
names the problem. tests/team/test_agreement_spans.py compares the two paths.
"""

from __future__ import annotations

from functools import cache

from store import layout

Span = tuple[str, int, int, int]  # (code id, coder index, start, end)


@cache
def _decoder():
    import msgspec  # here: commands that read no coding never import it

    bare = msgspec.defstruct("Bare", [("code", str), ("start", int), ("end", int)])
    codings_file = msgspec.defstruct("CodingsFile", [("codings", dict[str, bare], {})])
    return msgspec, msgspec.json.Decoder(codings_file)


def named_spans(project, coder_ids: list[str]) -> dict[str, list[Span]] | None:
    """{document id: spans} of the coders `coder_ids` (index = position in the list), read
    from their files; None when the files may not be exactly the project's codings."""
    from store.codings_files import trusted_files

    files = trusted_files(project)
    if files is None:
        return None
    msgspec, decoder = _decoder()
    position = {coder: i for i, coder in enumerate(coder_ids)}
    found: dict[str, list[Span]] = {}
    for key, recorded in files.items():
        coder, _, document = key.partition("/")
        index = position.get(coder)
        if index is None:
            continue
        try:
            raw = layout.codings_path(project.dir, key).read_bytes()
            if layout.digest(raw) != recorded:
                return None
            codings = decoder.decode(raw).codings
        except (OSError, ValueError, msgspec.MsgspecError):
            return None
        if codings:
            found.setdefault(document, []).extend((c.code, index, c.start, c.end) for c in codings.values())
    return found
