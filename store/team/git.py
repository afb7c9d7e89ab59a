"""The little of git that team coding needs, run as the `git` program (never a library).

Everything here reads or writes the clone the project folder is the top of. Remotes are
whatever the clone names (a bare repository in a shared folder, or SSH); Margin itself
opens no network connection, and its tests use file paths only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from store import layout
from store.errors import BadInput
from store.patterns import later


class GitFailed(BadInput):
    """A git command failed; the message is git's own first line, with what to do."""


def available() -> bool:
    return shutil.which("git") is not None


def is_clone(folder: Path) -> bool:
    """Whether `folder` is the top of a git clone (a `.git` folder or file in it)."""
    return (Path(folder) / ".git").exists()


STALE_LOCK = later(r"Unable to create '([^']+\.lock)': File exists")


def run(folder: Path, *args: str, data: bytes | None = None, env: dict | None = None, check: bool = True) -> str:
    """Run `git args` in `folder`; its standard output. A failure raises GitFailed with
    git's first line of complaint."""
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    done = subprocess.run(
        ["git", *args], cwd=folder, input=data, capture_output=True, env=full_env, check=False
    )
    if check and done.returncode != 0:
        lines = [l for l in done.stderr.decode("utf-8", "replace").splitlines() if l.strip()]
        problem = next((l for l in lines if l.startswith(("fatal:", "error:"))), lines[0] if lines else f"exit {done.returncode}")
        stale = STALE_LOCK.search(problem)
        if stale:
            lock = os.path.relpath(stale.group(1), folder)
            lock = lock if not lock.startswith("..") else stale.group(1)
            raise GitFailed(
                f"git {args[0]} failed: {lock} is left by a git command that stopped (killed, or the machine "
                f"went down); if no git command is running in this clone, remove it (rm {lock}) and run the "
                "command again"
            )
        raise GitFailed(f"git {args[0]} failed: {problem.strip()}")
    return done.stdout.decode("utf-8", "replace")


def blob_id(data: bytes) -> str:
    """The object id git gives a file of these bytes (`git hash-object`), computed here."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def git_dir(folder: Path) -> Path:
    """The clone's git folder: `.git`, or the one a `.git` file names (a worktree); git is
    asked only when it cannot be told so (a sync spared three processes this way)."""
    dot = Path(folder) / ".git"
    if dot.is_dir():
        return dot
    try:
        text = dot.read_text()
    except OSError:
        text = ""
    if text.startswith("gitdir:"):
        return (Path(folder) / text.partition("gitdir:")[2].strip()).resolve()
    return Path(folder) / run(folder, "rev-parse", "--git-dir").strip()


def fetched_commit(folder: Path) -> str:
    """The commit the last fetch brought (FETCH_HEAD's first line, read in a plain clone;
    git is asked elsewhere)."""
    dot = Path(folder) / ".git"
    if dot.is_dir():
        try:
            first = (dot / "FETCH_HEAD").read_text().split(maxsplit=1)
        except OSError:
            first = []
        if first and len(first[0]) in (40, 64) and all(c in "0123456789abcdef" for c in first[0]):
            return first[0]
    return run(folder, "rev-parse", "FETCH_HEAD").strip()


def head_commit(folder: Path) -> str:
    """The commit HEAD names, read from .git's files (no process: every open may ask);
    "" when there is none or it cannot be told this way."""
    git_dir = Path(folder) / ".git"
    try:
        if git_dir.is_file():  # a worktree or submodule: "gitdir: PATH"
            git_dir = (Path(folder) / git_dir.read_text().partition("gitdir:")[2].strip()).resolve()
        head = (git_dir / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head
        ref = head[4:].strip()
        ref_file = git_dir / ref
        if not ref_file.is_file() and (git_dir / "commondir").is_file():
            ref_file = (git_dir / (git_dir / "commondir").read_text().strip() / ref).resolve()
        if ref_file.is_file():
            return ref_file.read_text().strip()
        packed = ref_file.parents[len(Path(ref).parts) - 1] / "packed-refs"
        for line in packed.read_text().splitlines() if packed.is_file() else ():
            if line.endswith(" " + ref):
                return line.split()[0]
    except OSError:
        return ""
    return ""


def shared_blobs(folder: Path, commit: str) -> dict[str, str]:
    """The shared files (project.json, codings/**, sources/**) of a commit: path -> blob id."""
    out = run(folder, "ls-tree", "-r", "-z", commit, "--", layout.PROJECT_FILE, layout.CODINGS_DIR, layout.SOURCES_DIR)
    blobs = {}
    for entry in out.split("\0"):
        if entry:
            meta, _, path = entry.partition("\t")
            blobs[path] = meta.split()[2]
    return blobs


ZERO = "0" * 40


def changed_files(folder: Path, base: str, commits: list[str], paths: tuple[str, ...]) -> list[dict[str, tuple[str, str]]]:
    """For each of `commits`, its files under `paths` that differ from commit `base`:
    path -> (blob at base, blob at the commit), "" where there is none. One process
    (`git diff-tree --stdin`) for all of them, and only the differences are listed."""
    pairs = "".join(f"{commit} {base}\n" for commit in commits).encode()  # a commit, then the "parent" it is compared with
    out = run(folder, "diff-tree", "-r", "-z", "--always", "--no-renames", "--stdin", "--", *paths, data=pairs)
    found: list[dict[str, tuple[str, str]]] = []
    tokens, at = out.split("\0"), 0
    while at < len(tokens):
        token = tokens[at]
        if token.startswith(":"):  # ":mode mode old new status", then the path
            meta = token.split()
            found[-1][tokens[at + 1]] = tuple("" if blob == ZERO else blob for blob in meta[2:4])
            at += 2
            continue
        if token:  # a pair's first line: the commit it starts from
            found.append({})
        at += 1
    if len(found) != len(commits):
        raise GitFailed(f"git diff-tree failed: {len(found)} of {len(commits)} comparisons answered")
    return found


def read_blobs(folder: Path, ids: list[str]) -> dict[str, bytes]:
    """Many blobs at once (`git cat-file --batch`), by id."""
    if not ids:
        return {}
    done = subprocess.run(
        ["git", "cat-file", "--batch"], cwd=folder, input="".join(i + "\n" for i in ids).encode(),
        capture_output=True, check=False,
    )  # fmt: skip
    raw, found, at = done.stdout, {}, 0
    for wanted in ids:
        end = raw.index(b"\n", at)
        header = raw[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue
        size = int(header[2])
        found[wanted] = raw[at : at + size]
        at += size + 1
    return found


def current_branch(folder: Path) -> str:
    """The branch checked out (read from HEAD's file, asked of git only when that cannot
    tell); refuses a detached HEAD, which a sync cannot push."""
    try:
        head = (git_dir(folder) / "HEAD").read_text().strip()
    except OSError:
        head = ""
    if head.startswith("ref: refs/heads/"):
        return head[len("ref: refs/heads/") :]
    name = run(folder, "symbolic-ref", "-q", "--short", "HEAD", check=False).strip()
    if not name:
        raise GitFailed("the clone is on a detached HEAD, not on a branch; run `git switch main` (or your branch) first")
    return name


def remotes(folder: Path, branch: str) -> tuple[list[str], str]:
    """The clone's remotes (as `git remote` lists those set in its config) and the
    branch's upstream remote ("" when none), asked of git in one process."""
    out = run(folder, "config", "-z", "--get-regexp", r"^(remote\..*\.[a-z]+|branch\..*\.remote)$", check=False)
    names: list[str] = []
    upstream = ""
    for entry in out.split("\0"):
        key, _, value = entry.partition("\n")
        if key == f"branch.{branch}.remote":
            upstream = value
        elif key.startswith("remote.") and key.count(".") >= 2:
            name = key[len("remote.") : key.rindex(".")]
            if name not in names:
                names.append(name)
    return names, upstream


def is_ancestor(folder: Path, older: str, newer: str) -> bool:
    done = subprocess.run(["git", "merge-base", "--is-ancestor", older, newer], cwd=folder, capture_output=True, check=False)
    return done.returncode == 0
