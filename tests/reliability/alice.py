"""A crash-state checker in the style of ALICE (Pillai et al., OSDI 2014).

kill -9 leaves the page cache in place; a power cut does not. This module records the
file-system calls Margin itself makes under a project folder (open with O_CREAT or
O_TRUNC, write, pwrite, ftruncate, fsync of files and folders, rename, link, unlink,
mkdir, rmdir), in process, by wrapping those functions of the `os` module, together with
the moments a command acknowledges something (a line on standard output, or an explicit
`ack()` for store API workloads). It then builds the states a power cut could leave and
checks each one.

The persistence model is the weak one POSIX promises:

- a write or truncation of a file is durable only once that file is fsynced;
- a name (creat, rename, link, unlink, mkdir) is durable only once its folder is fsynced;
- anything not yet durable may be lost, may land in any order, and a write may be torn.

For every prefix of the calls (a cut after call k) the states built are: only what is
durable; everything issued; every in-order prefix of what is pending; everything issued
but one pending call (reordering); and every pending write torn in half after the
calls before it. States are deduplicated by content.

Each state must either open (as the next writer would: the torn log tail is cut) and
hold every change acknowledged before the cut, or give a one-line error naming `margin
restore` after which restore brings back such a state. "Holds every change" is exact:
the state must equal, record for record, the state after some log entry at or past the
newest acknowledged one, computed independently by folding the final log.

The recorder checks itself: after a workload, the state it models must equal the real
folder byte for byte, so a write that bypassed the wrappers is caught, not ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
import orjson

LOCK = ".margin.lock"


# ---------------------------------------------------------------------------- recording


@dataclass
class Op:
    kind: str  # creat trunc write fsync fsyncdir rename link unlink mkdir rmdir ack
    path: str = ""  # relative to the root (names); for data ops the inode id as text
    other: str = ""  # rename/link destination
    offset: int = 0
    data: bytes = b""
    ack: int = -1  # for "ack": the workload step acknowledged


@dataclass
class Model:
    """A file system: names to inodes, inode contents, folders."""

    entries: dict[str, int] = field(default_factory=dict)
    contents: dict[int, bytearray] = field(default_factory=dict)
    dirs: set[str] = field(default_factory=lambda: {""})

    def copy(self) -> Model:
        return Model(dict(self.entries), {i: bytearray(c) for i, c in self.contents.items()}, set(self.dirs))

    def apply(self, op: Op, torn: bool = False) -> None:
        """Apply one call; a call whose target a lost earlier call never made is a no-op."""
        kind = op.kind
        if kind == "creat":
            if _parent(op.path) in self.dirs:
                self.entries[op.path] = int(op.other)
                self.contents.setdefault(int(op.other), bytearray())
        elif kind == "write":
            data = op.data[: len(op.data) // 2] if torn else op.data
            buf = self.contents.setdefault(int(op.path), bytearray())
            if len(buf) < op.offset:
                buf.extend(b"\0" * (op.offset - len(buf)))
            buf[op.offset : op.offset + len(data)] = data
        elif kind == "trunc":
            buf = self.contents.setdefault(int(op.path), bytearray())
            del buf[op.offset :]
            buf.extend(b"\0" * (op.offset - len(buf)))
        elif kind == "rename" and op.path in self.entries and _parent(op.other) in self.dirs:
            self.entries[op.other] = self.entries.pop(op.path)
        elif kind == "link" and op.path in self.entries and _parent(op.other) in self.dirs:
            self.entries[op.other] = self.entries[op.path]
        elif kind == "unlink":
            self.entries.pop(op.path, None)
        elif kind == "mkdir" and _parent(op.path) in self.dirs:
            self.dirs.add(op.path)
        elif kind == "rmdir":
            self.dirs.discard(op.path)

    def files(self) -> dict[str, bytes]:
        """Visible files (under folders that exist), the lock's content aside."""
        return {
            name: b"" if name.endswith(LOCK) else bytes(self.contents[inode])
            for name, inode in self.entries.items()
            if _reachable(name, self.dirs)
        }

    def digest(self) -> str:
        h = hashlib.sha256()
        for name in sorted(d for d in self.dirs if _reachable(d + "/x", self.dirs)):
            h.update(b"D" + name.encode() + b"\0")
        for name, data in sorted(self.files().items()):
            h.update(b"F" + name.encode() + b"\0" + hashlib.sha256(data).digest())
        return h.hexdigest()

    def materialize(self, target: Path) -> None:
        for name in sorted(d for d in self.dirs if d and _reachable(d + "/x", self.dirs)):
            (target / name).mkdir(mode=0o700, exist_ok=True)
        first: dict[int, Path] = {}
        visible = self.files()
        for name, inode in sorted(self.entries.items()):
            if name not in visible:
                continue
            path = target / name
            if inode in first:
                os.link(first[inode], path)  # backups are hard links: keep them so
                continue
            path.write_bytes(visible[name])
            path.chmod(0o600)
            first[inode] = path


def _parent(name: str) -> str:
    return name.rpartition("/")[0]


def _reachable(name: str, dirs: set[str]) -> bool:
    parent = _parent(name)
    while parent:
        if parent not in dirs:
            return False
        parent = _parent(parent)
    return True


class Recorder:
    """Wraps the `os` calls that write, recording those under `root` as Ops."""

    WRAPPED = ("open", "close", "write", "pwrite", "ftruncate", "fsync", "replace", "rename",
               "link", "unlink", "mkdir", "rmdir")  # fmt: skip

    def __init__(self, root: Path):
        self.root = os.path.realpath(root)
        self.initial = Model()
        self.ops: list[Op] = []
        self._fds: dict[int, tuple[str, object, bool]] = {}  # fd -> ("file", inode, append) | ("dir", name)
        self._real: dict[str, Callable] = {}
        self._next_inode = 1
        self.model = self._snapshot()
        self.initial = self.model.copy()

    # -- the folder as it is before the workload: all of it durable
    def _snapshot(self) -> Model:
        model, by_ino = Model(), {}
        for folder, subdirs, files in os.walk(self.root):
            rel = os.path.relpath(folder, self.root)
            rel = "" if rel == "." else rel
            model.dirs.add(rel)
            for name in files:
                path = os.path.join(folder, name)
                ino = os.lstat(path).st_ino
                if ino not in by_ino:
                    by_ino[ino] = self._new_inode()
                    with open(path, "rb") as handle:
                        model.contents[by_ino[ino]] = bytearray(handle.read())
                model.entries[os.path.join(rel, name) if rel else name] = by_ino[ino]
        return model

    def _new_inode(self) -> int:
        self._next_inode += 1
        return self._next_inode

    def _name(self, path) -> str | None:
        if isinstance(path, int):
            return None
        full = os.path.abspath(os.fsdecode(path))
        if full != self.root and not full.startswith(self.root + os.sep):
            return None
        rel = os.path.relpath(full, self.root)
        return "" if rel == "." else rel

    def _record(self, op: Op) -> None:
        self.ops.append(op)
        self.model.apply(op)

    def ack(self, step: int) -> None:
        self.ops.append(Op("ack", ack=step))

    @contextlib.contextmanager
    def recording(self, step: Callable[[], int]) -> Iterator[None]:
        """Record while inside; a line echoed to standard output acknowledges step()."""
        for name in self.WRAPPED:
            self._real[name] = getattr(os, name)
            setattr(os, name, getattr(self, f"_{name}"))
        real_echo = click.echo

        def echo(message=None, file=None, nl=True, err=False, color=None):
            if not err and file is None:
                self.ack(step())
            return real_echo(message, file=file, nl=nl, err=err, color=color)

        click.echo = echo
        try:
            yield
        finally:
            click.echo = real_echo
            for name, function in self._real.items():
                setattr(os, name, function)

    # -- the wrappers
    def _open(self, path, flags, mode=0o777, *, dir_fd=None):
        name = None if dir_fd is not None else self._name(path)
        existed = name is not None and (name in self.model.entries or name in self.model.dirs)
        fd = self._real["open"](path, flags, mode, dir_fd=dir_fd)
        if name is None:
            return fd
        if name in self.model.dirs or (not existed and os.path.isdir(path)):
            self._fds[fd] = ("dir", name, False)
            return fd
        if not existed:
            if not flags & os.O_CREAT:
                return fd
            self._record(Op("creat", name, str(self._new_inode())))
        inode = self.model.entries[name]
        if flags & os.O_TRUNC:
            self._record(Op("trunc", str(inode), offset=0))
        self._fds[fd] = ("file", inode, bool(flags & os.O_APPEND))
        return fd

    def _close(self, fd):
        self._fds.pop(fd, None)
        return self._real["close"](fd)

    def _write(self, fd, data):
        tracked = self._fds.get(fd)
        if tracked is None or tracked[0] != "file":
            return self._real["write"](fd, data)
        _, inode, append = tracked
        offset = len(self.model.contents[inode]) if append else os.lseek(fd, 0, os.SEEK_CUR)
        written = self._real["write"](fd, data)
        self._record(Op("write", str(inode), offset=offset, data=bytes(data[:written])))
        return written

    def _pwrite(self, fd, data, offset):
        written = self._real["pwrite"](fd, data, offset)
        tracked = self._fds.get(fd)
        if tracked is not None and tracked[0] == "file":
            self._record(Op("write", str(tracked[1]), offset=offset, data=bytes(data[:written])))
        return written

    def _ftruncate(self, fd, length):
        result = self._real["ftruncate"](fd, length)
        tracked = self._fds.get(fd)
        if tracked is not None and tracked[0] == "file":
            self._record(Op("trunc", str(tracked[1]), offset=length))
        return result

    def _fsync(self, fd):
        result = self._real["fsync"](fd)
        tracked = self._fds.get(fd)
        if tracked is not None:
            kind, target, _ = tracked
            self._record(Op("fsync", str(target)) if kind == "file" else Op("fsyncdir", target))
        return result

    def _rename_like(self, real, src, dst, *, src_dir_fd=None, dst_dir_fd=None):
        assert src_dir_fd is None and dst_dir_fd is None, "the recorder does not follow dir_fd"
        result = self._real[real](src, dst)
        a, b = self._name(src), self._name(dst)
        if a is not None and b is not None:
            if a in self.model.dirs:
                raise AssertionError(f"folder rename {a} -> {b}: not modelled")
            self._record(Op("rename", a, b))
        return result

    def _replace(self, src, dst, **kw):
        return self._rename_like("replace", src, dst, **kw)

    def _rename(self, src, dst, **kw):
        return self._rename_like("rename", src, dst, **kw)

    def _link(self, src, dst, *, src_dir_fd=None, dst_dir_fd=None, follow_symlinks=True):
        assert src_dir_fd is None and dst_dir_fd is None, "the recorder does not follow dir_fd"
        result = self._real["link"](src, dst, follow_symlinks=follow_symlinks)
        a, b = self._name(src), self._name(dst)
        if a is not None and b is not None:
            self._record(Op("link", a, b))
        return result

    def _unlink(self, path, *, dir_fd=None):
        assert dir_fd is None, "the recorder does not follow dir_fd (a backup rotation?)"
        result = self._real["unlink"](path)
        name = self._name(path)
        if name is not None:
            self._record(Op("unlink", name))
        return result

    def _mkdir(self, path, mode=0o777, *, dir_fd=None):
        assert dir_fd is None, "the recorder does not follow dir_fd"
        result = self._real["mkdir"](path, mode)
        name = self._name(path)
        if name is not None:
            self._record(Op("mkdir", name))
        return result

    def _rmdir(self, path, *, dir_fd=None):
        assert dir_fd is None, "the recorder does not follow dir_fd"
        result = self._real["rmdir"](path)
        name = self._name(path)
        if name is not None:
            self._record(Op("rmdir", name))
        return result

    def verify(self) -> None:
        """The model must be the folder: else some write went around the wrappers."""
        real = Recorder(self.root).model
        mine, theirs = self.model.files(), real.files()
        assert set(mine) == set(theirs), f"recorder missed names: {set(mine) ^ set(theirs)}"
        for name in mine:
            assert mine[name] == theirs[name], f"recorder missed a write to {name}"


# ---------------------------------------------------------------------------- crash states


def _durable_mask(ops: list[Op], end: int) -> list[bool]:
    """Which of ops[:end] a power cut after call `end` cannot lose."""
    synced_file: dict[str, int] = {}
    synced_dir: dict[str, int] = {}
    for i, op in enumerate(ops[:end]):
        if op.kind == "fsync":
            synced_file[op.path] = i
        elif op.kind == "fsyncdir":
            synced_dir[op.path] = i
    mask = []
    for i, op in enumerate(ops[:end]):
        if op.kind in ("write", "trunc"):
            mask.append(synced_file.get(op.path, -1) > i)
        elif op.kind in ("creat", "unlink", "mkdir", "rmdir"):
            mask.append(synced_dir.get(_parent(op.path), -1) > i)
        elif op.kind in ("rename", "link"):
            mask.append(min(synced_dir.get(_parent(op.path), -1), synced_dir.get(_parent(op.other), -1)) > i)
        else:
            mask.append(True)
    return mask


class Prefixes:
    """The model after ops[:n] for every n that is a multiple of STEP, so a crash state is
    built from the nearest one instead of from the start."""

    STEP = 32

    def __init__(self, initial: Model, ops: list[Op]):
        self.saved = [initial.copy()]
        model = initial.copy()
        for i, op in enumerate(ops, 1):
            model.apply(op)
            if i % self.STEP == 0:
                self.saved.append(model.copy())

    def before(self, index: int) -> tuple[int, Model]:
        """(n, the model after ops[:n]) for the largest saved n <= index."""
        slot = min(index // self.STEP, len(self.saved) - 1)
        return slot * self.STEP, self.saved[slot].copy()


def crash_states(prefixes: Prefixes, ops: list[Op], end: int) -> Iterator[tuple[str, Model]]:
    """The states a power cut after ops[:end] may leave, each with a short description."""
    mask = _durable_mask(ops, end)
    pending = [i for i in range(end) if not mask[i] and ops[i].kind != "ack"]
    first = pending[0] if pending else end

    def build(chosen: set[int], torn: int | None = None) -> Model:
        start, model = prefixes.before(first)
        for i in range(start, end):
            if mask[i] or i in chosen:
                model.apply(ops[i])
            elif i == torn:
                model.apply(ops[i], torn=True)
        return model

    yield "durable only", build(set())
    yield "all issued", build(set(pending))
    for n in range(1, len(pending)):
        yield f"pending prefix {n}", build(set(pending[:n]))
    for i in pending:
        yield f"all but call {i} ({ops[i].kind})", build(set(pending) - {i})
        if ops[i].kind == "write" and len(ops[i].data) > 1:
            yield f"call {i} torn", build({j for j in pending if j < i}, torn=i)


# ---------------------------------------------------------------------------- the oracle


def fold_log(log: bytes) -> list[dict]:
    """The state after each log entry (index = seq), from the log alone."""
    state: dict[str, dict] = {t: {} for t in ("coders", "documents", "codes", "codings", "memos")}
    states = [orjson.loads(orjson.dumps(state))]
    for line in log.splitlines():
        entry = orjson.loads(line)
        for table, entity_id, _before, after in entry["changes"]:
            if after is None:
                state[table].pop(entity_id, None)
            else:
                state[table][entity_id] = after
        assert entry["seq"] == len(states), "the workload's log is not numbered 1, 2, 3..."
        states.append(orjson.loads(orjson.dumps(state)))
    return states


@dataclass
class Outcome:
    states: int = 0
    opened: int = 0
    restored: int = 0
    failures: list[str] = field(default_factory=list)


def check_state(directory: Path, needed_seq: int, expected: list[dict], acked: bool = True) -> str:
    """"" when the project in `directory` opens (restoring if it says so) with a state
    at or past `needed_seq`; else what went wrong. Returns "restored" when it needed it.
    Before anything is acknowledged (`acked` false) no project at all is also fine."""
    from store.errors import MarginError, NotAProject
    from store.restore import restore
    from tests.reliability.helpers import check_invariants, state_of

    restored = False
    try:
        project = _open_whole(directory)
    except NotAProject as error:
        return "" if not acked else f"the project is gone: {error.message}"
    except MarginError as error:
        if "margin restore" not in error.message:
            return f"unopenable without a way back: {error.message}"
        try:
            restore(directory, cut_log="--cut-log" in error.message, from_log="--from-log" in error.message)
            project = _open_whole(directory)
        except MarginError as again:
            return f"restore did not bring it back: {error.message} / then: {again.message}"
        restored = True
    try:
        if project.seq < needed_seq:
            return f"acknowledged action {needed_seq} lost (the state is at {project.seq})"
        if project.seq >= len(expected):
            return f"the state is at action {project.seq}, past anything logged"
        if state_of(project) != expected[project.seq]:
            return f"the state at action {project.seq} differs from the log's"
        check_invariants(project)
    finally:
        project.close()
    return "restored" if restored else ""


def _open_whole(directory: Path):
    """The project opened, every document's text read (checked against its sha256): an
    open reads no text, and a text whose name a power cut lost opens as if all were well."""
    from store.project import Project

    project = Project.open(directory)
    try:
        for document in project.documents.all():
            project.text(document.id)
    except BaseException:
        project.close()
        raise
    return project


@contextlib.contextmanager
def _no_fsync() -> Iterator[None]:
    """Checking states needs no durability: skip the fsyncs, for speed."""
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def check_workload(recorder: Recorder, acks: dict[int, int], base_seq: int, final_log: bytes, project: str = "",
                   budget: int | None = None, seed: int = 0, exists: bool = True) -> Outcome:  # fmt: skip
    """Every crash state of the recorded calls. `acks` maps a step to the log seq its
    acknowledgement promised; `project` is the project folder below the recorded root;
    `exists` says whether it existed (durably) before; `budget` bounds the states
    checked (cuts are then taken in a random order)."""
    expected = fold_log(final_log)
    ops = recorder.ops
    cuts = list(range(len(ops) + 1))
    if budget is not None:
        random.Random(seed).shuffle(cuts)
    outcome, seen = Outcome(), set()
    prefixes = Prefixes(recorder.initial, ops)
    scratch = Path(tempfile.mkdtemp(prefix="alice-"))
    try:
        with _no_fsync():
            for end in cuts:
                promised = [acks[op.ack] for op in ops[:end] if op.kind == "ack"]
                needed = max([base_seq, *promised])
                for what, model in crash_states(prefixes, ops, end):
                    key = (model.digest(), needed)
                    if key in seen:
                        continue
                    seen.add(key)
                    if budget is not None and outcome.states >= budget:
                        return outcome
                    outcome.states += 1
                    target = scratch / str(outcome.states)
                    target.mkdir()
                    model.materialize(target)
                    problem = check_state(target / project, needed, expected, acked=exists or bool(promised))
                    if problem == "restored":
                        outcome.restored += 1
                    elif problem:
                        outcome.failures.append(f"cut after call {end} ({what}): {problem}")
                    else:
                        outcome.opened += 1
                    shutil.rmtree(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return outcome
