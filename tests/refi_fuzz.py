"""A mutation fuzzer for REFI-QDA import (issue 9): every mutated file gives a clean import
or one clear error (a MarginError of one line), never a traceback or a hang, and never a
partly made project folder.

Seeds are the shared samples (../shared/refi/samples, when present) and Margin's own
exports of a small project (.qdpx, .qdc). Mutations: byte flips, truncation, repeated
GUIDs, codes nested in themselves, deep nesting, huge, negative and non-numeric
positions, removed attributes, other text encodings (declared, or only claimed), other
zip methods (bzip2, LZMA, and Deflate64 or Zstandard marked in the headers), dropped
and doubled zip members.

A clean import is then used: the codebook is walked, counts summed and `export csv`'s
rows made, as the commands after an import would. A `.qdc` is read and merged into a
new project the same way.

    python -m tests.refi_fuzz --cases 2000 --seed 1     # a long run, with figures
"""

from __future__ import annotations

import argparse
import io
import random
import re
import shutil
import signal
import struct
import tempfile
import time
import traceback
import uuid
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from store.errors import MarginError
from store.importers import parse_text
from store.project import Project

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "refi" / "samples"
HANG_SECONDS = 20
_GUID = re.compile(rb'(?<=guid=")[^"]*|(?<=GUID=")[^"]*')
_NUMBER = re.compile(rb'(?<=Position=")[^"]*|(?<=Position=\')[^\']*')
_CODE_OPEN = re.compile(rb"<Code [^>]*?(?<!/)>")
_ATTRIBUTE = re.compile(rb' (guid|name|targetGUID|startPosition|endPosition|plainTextPath|isCodable)="[^"]*"')
NUMBERS = [b"-1", b"-99999999", b"99999999999999999999999999", b"9223372036854775808", b"1e9", b"", b" 7 ", b"0x10", b"\xd9\xa3", b"NaN"]
ENCODINGS = ["utf-16", "utf-16-be", "utf-32", "utf-32-le", "latin-1", "cp1252", "shift_jis", "utf-8-sig"]
CLAIMED = [b"utf-16", b"utf-32", b"UTF-16LE", b"klingon", b"base64", b"rot13", b"ascii", b"idna", b"", b"utf-7"]


@dataclass
class Seed:
    name: str
    suffix: str  # .qdpx, .qde or .qdc
    data: bytes

    @property
    def members(self) -> dict[str, bytes] | None:
        """A .qdpx's members, or None for a bare XML file."""
        if self.suffix != ".qdpx":
            return None
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}


@dataclass
class Figures:
    cases: int = 0
    imported: int = 0
    refused: int = 0
    by_mutation: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


# ---------------------------------------------------------------- seeds


def seeds(work: Path, include_large: bool = True) -> list[Seed]:
    found = []
    if SAMPLES.is_dir():
        for path in sorted(SAMPLES.iterdir()):
            if path.suffix.lower() in (".qdpx", ".qde", ".qdc") and (include_large or path.stat().st_size < 200_000):
                found.append(Seed(path.name, path.suffix.lower(), path.read_bytes()))
    found += own_exports(work)
    return found


def own_exports(work: Path) -> list[Seed]:
    """Margin's own .qdpx and .qdc of a small project with every kind of entity."""
    from store.refi import export_qdc, export_qdpx
    from tests.conftest import INTERVIEW

    folder = work / "own"
    with Project.init(folder, name="Own", coder="alice") as project:
        first = project.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {"case": "N1", "round": "1"}).document
        second = project.documents.import_parsed(parse_text(INTERVIEW.replace("nurse", "ward clerk"), "txt"), "N2", {"case": "N2"}).document
        peer = project.codebook.add("Support > Peer", description="Help from someone in the same role")
        trust = project.codebook.add("Trust > Judgement > Growing")
        for document, code in ((first, peer), (first, trust), (second, peer)):
            turn = document.turns[1]
            project.codings.apply(document, code, turn.start, turn.end, memo="why this matters")
        project.memos.add("document", first.id, "A memo on the document")
        project.memos.add("code", peer.id, "What counts as peer support")
        project.memos.add("journal", None, "First week", title="Week 1")
        export_qdpx(project, work / "own.qdpx")
        qdc = export_qdc(project)
    shutil.rmtree(folder)
    return [Seed("margin.qdpx", ".qdpx", (work / "own.qdpx").read_bytes()), Seed("margin.qdc", ".qdc", qdc)]


# ---------------------------------------------------------------- mutations of the XML


def flip_bytes(xml: bytes, rng: random.Random) -> bytes:
    data = bytearray(xml)
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncate(xml: bytes, rng: random.Random) -> bytes:
    return xml[: rng.randrange(len(xml) + 1)]


def repeat_guids(xml: bytes, rng: random.Random) -> bytes:
    found = [m.span() for m in _GUID.finditer(xml)]
    if len(found) < 2:
        return xml
    source = rng.choice(found)
    value = xml[source[0] : source[1]]
    for start, end in sorted(rng.sample(found, min(len(found), rng.randint(1, 4))), reverse=True):
        xml = xml[:start] + value + xml[end:]
    return xml


def nest_in_itself(xml: bytes, rng: random.Random) -> bytes:
    """A code holding a code of its own GUID, as a cycle would be written."""
    codes = list(_CODE_OPEN.finditer(xml))
    if not codes:
        return xml
    chosen = rng.choice(codes)
    copies = rng.randint(1, 3)
    return xml[: chosen.end()] + chosen.group(0) * copies + b"</Code>" * copies + xml[chosen.end() :]


def nest_deep(xml: bytes, rng: random.Random) -> bytes:
    codes = list(_CODE_OPEN.finditer(xml))
    if not codes:
        return xml
    chosen = rng.choice(codes)
    depth = rng.choice([50, 99, 101, 1200])
    deep = b"".join(b'<Code guid="%s" name="d%d" isCodable="true">' % (_uuid(rng).encode(), i) for i in range(depth))
    return xml[: chosen.end()] + deep + b"</Code>" * depth + xml[chosen.end() :]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def odd_numbers(xml: bytes, rng: random.Random) -> bytes:
    found = [m.span() for m in _NUMBER.finditer(xml)]
    for start, end in sorted(rng.sample(found, min(len(found), rng.randint(1, 5))), reverse=True):
        xml = xml[:start] + rng.choice(NUMBERS) + xml[end:]
    return xml


def drop_attribute(xml: bytes, rng: random.Random) -> bytes:
    found = [m.span() for m in _ATTRIBUTE.finditer(xml)]
    for start, end in sorted(rng.sample(found, min(len(found), rng.randint(1, 5))), reverse=True):
        xml = xml[:start] + xml[end:]
    return xml


def encode_otherwise(xml: bytes, rng: random.Random) -> bytes:
    """The same document written in another encoding that its declaration names."""
    encoding = rng.choice(ENCODINGS)
    text = xml.decode("utf-8", "replace")
    text = re.sub(r"""^(<\?xml[^>]*?encoding=["'])[^"']*""", lambda m: m[1] + encoding.removesuffix("-sig"), text)
    return text.encode(encoding, "xmlcharrefreplace")


def claim_encoding(xml: bytes, rng: random.Random) -> bytes:
    """A declaration naming an encoding the bytes are not in (or no real encoding)."""
    claimed = rng.choice(CLAIMED)
    changed = re.sub(rb"""^(<\?xml[^>]*?encoding=["'])[^"']*""", lambda m: m[1] + claimed, xml)
    return changed if changed != xml else b'<?xml version="1.0" encoding="' + claimed + b'"?>' + xml


XML_MUTATIONS = [flip_bytes, truncate, repeat_guids, nest_in_itself, nest_deep, odd_numbers, drop_attribute, encode_otherwise, claim_encoding]


# ---------------------------------------------------------------- mutations of the zip


def rezip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def mark_method(data: bytes, method: int) -> bytes:
    """Claim in every header that members are packed with `method` (Deflate64 is 9)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        for match in re.finditer(re.escape(signature), data):
            struct.pack_into("<H", out, match.start() + offset, method)
    return bytes(out)


def zip_mutation(members: dict[str, bytes], rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["bzip2", "lzma", "stored", "deflate64", "zstd", "drop member", "double member", "flip zip", "cut zip"])
    packed = rezip(members)
    if kind == "bzip2":
        return kind, rezip(members, zipfile.ZIP_BZIP2)
    if kind == "lzma":
        return kind, rezip(members, zipfile.ZIP_LZMA)
    if kind == "stored":
        return kind, rezip(members, zipfile.ZIP_STORED)
    if kind in ("deflate64", "zstd"):
        return kind, mark_method(rezip(members, zipfile.ZIP_STORED), 9 if kind == "deflate64" else 93)
    if kind == "drop member":
        names = list(members)
        return kind, rezip({n: d for n, d in members.items() if n != rng.choice(names)})
    if kind == "double member":
        name = rng.choice(list(members))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for member, body in members.items():
                archive.writestr(member, body)
            with warnings.catch_warnings():  # zipfile warns of the duplicate name it was asked for
                warnings.simplefilter("ignore")
                archive.writestr(zipfile.ZipInfo(name), b"second copy")
        return kind, buffer.getvalue()
    if kind == "flip zip":
        return kind, flip_bytes(packed, rng)
    return kind, truncate(packed, rng)


def mutate(seed: Seed, rng: random.Random) -> tuple[str, bytes]:
    """(the mutation's name, the mutated file)."""
    members = seed.members
    if members is not None and rng.random() < 0.3:
        return zip_mutation(members, rng)
    mutation = rng.choice(XML_MUTATIONS)
    if members is None:
        return mutation.__name__, mutation(seed.data, rng)
    qde = next(n for n in members if n.lower().endswith(".qde"))
    return mutation.__name__, rezip({**members, qde: mutation(members[qde], rng)})


# ---------------------------------------------------------------- one case


class Hang(Exception):
    pass


def _alarm(*_):
    raise Hang


def run_case(seed: Seed, mutation: str, data: bytes, work: Path) -> str:
    """'imported' or 'refused'; raises AssertionError (or what the code raised) otherwise."""
    path = work / f"case{seed.suffix}"
    path.write_bytes(data)
    target = work / "project"
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        try:
            project = _import(path, target, seed.suffix)
        except MarginError as error:
            assert "\n" not in error.message, f"a message of several lines: {error.message[:200]!r}"
            assert not target.exists() or seed.suffix == ".qdc", "a refused import left a project folder"
            return "refused"
        with project:
            _use(project)  # any error here, even a MarginError, means the import made a broken project
        return "imported"
    except Hang:
        raise AssertionError(f"no answer within {HANG_SECONDS} s") from None
    finally:
        signal.alarm(0)
        shutil.rmtree(target, ignore_errors=True)


def _import(path: Path, target: Path, suffix: str) -> Project:
    """The project the file made (open), or the MarginError that refused it."""
    from store.refi import import_project, merge_codes, read_codebook

    if suffix == ".qdc":
        specs = read_codebook(path)
        project = Project.init(target, name="t", coder="alice")
        try:
            merge_codes(project, specs, path.name)
        except BaseException:
            project.close()
            raise
        return project
    import_project(path, target)
    return Project.open(target, readonly=True)


def _use(project: Project) -> None:
    """What the commands after an import do: walk and count the codebook, export every
    coding, and check that each points at a document and code that are there."""
    from store.exporters.segments import segment_rows

    state = project.state
    for code in project.codebook.all():
        project.codebook.path(code)
    assert len(project.codebook.all()) == len(state.codes), "codes outside the tree"
    project.codebook.total_counts()
    for coding in state.codings.values():
        assert coding.document in state.documents and coding.code in state.codes, "a coding points at nothing"
        assert project.text(coding.document)[coding.start : coding.end] == coding.text, "a coding's text is not its span"
    segment_rows(project)


# ---------------------------------------------------------------- a run


def fuzz(cases: int, seed: int = 0, include_large: bool = True, budget: float | None = None) -> Figures:
    rng = random.Random(seed)
    figures = Figures()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="refi-fuzz-") as tmp:
        work = Path(tmp)
        pool = seeds(work, include_large)
        for number in range(cases):
            if budget is not None and time.monotonic() - started > budget:
                break
            chosen = rng.choice(pool)
            mutation, data = mutate(chosen, rng)
            figures.cases += 1
            figures.by_mutation[mutation] += 1
            try:
                outcome = run_case(chosen, mutation, data, work)
            except Exception as exc:  # noqa: BLE001  the fuzzer reports every failure
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                figures.failures.append(f"case {number} ({chosen.name}, {mutation}): {detail[:300]}")
                keep = work.parent / f"refi-fuzz-failure-{seed}-{number}{chosen.suffix}"
                keep.write_bytes(data)
                continue
            setattr(figures, outcome, getattr(figures, outcome) + 1)
    figures.seconds = time.monotonic() - started
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    figures = fuzz(args.cases, args.seed)
    print(
        f"{figures.cases} cases in {figures.seconds:.0f} s: {figures.imported} imported, {figures.refused} refused "
        f"in one line, {len(figures.failures)} failures"
    )
    print("mutations: " + ", ".join(f"{name} {n}" for name, n in sorted(figures.by_mutation.items())))
    for failure in figures.failures:
        print("FAIL", failure)
    raise SystemExit(1 if figures.failures else 0)


if __name__ == "__main__":
    main()
