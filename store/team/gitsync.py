"""`margin sync`: one round of team coding through a git remote, for someone who does not know git.

    checkpoint       every acknowledged change is in the shared files
    commit           the shared files, as the coder (author and committer: the coder's name)
    fetch            the remote's branch
    merge            three-way, entity by entity (store/team/merge.py) over the whole project:
                     base = git's common ancestor, ours = this copy, theirs = the remote's
                     (only the files their side changed are read: filewise.py);
                     applied to the project as ONE logged action, then checkpointed
    commit the merge with both parents, built in a temporary index (the working files
                     are only ever written by Margin's checkpoint)
    push

Why not `git merge` with the merge driver: the driver sees one file at a time, so it cannot
bring back a code that one side deleted while the other side's codings (another file) use
it; and git writes the working files in place, so a kill in the middle would leave a mix
of old and new files that no log explains. Merging through the store keeps the log's
promise (a kill at any point leaves a project that opens with every acknowledged change)
and settles references across files. Files other than Margin's (a README the team keeps)
merge as git merges them; if those conflict, sync stops before changing anything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from store import layout
from store.errors import BadInput
from store.schema import UNMERGED
from store.state import paused_collector
from store.storage import make_dir, write_atomic
from store.team import git
from store.team.git import GitFailed
from store.team import filewise
from store.team.sync import BASES_DIR, ORDER, apply_merged, came_in_words
from store.text import plural

SHARED = (layout.PROJECT_FILE, layout.CODINGS_DIR, layout.SOURCES_DIR)
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # `git hash-object -t tree /dev/null`
HEAD_FILE = "git-head"  # merges/git-head: the commit this copy's files last matched (see accept.py)


@dataclass
class SyncReport:
    remote: str
    pushed: bool = False
    came_in: dict[str, Counter] = field(default_factory=dict)
    removed: Counter = field(default_factory=Counter)  # by table
    conflicts: int = 0
    moved: Counter = field(default_factory=Counter)  # codings the other copies' joins moved (sync.Report.fold_joins)
    removed_yours: int = 0

    def lines(self) -> list[str]:
        parts = came_in_words(self.came_in, self.moved, self.removed, self.removed_yours)
        head = f"From {self.remote}: " + ("; ".join(parts) if parts else "nothing new")
        if self.conflicts:
            head += f"; {plural(self.conflicts, 'conflict')}: see `margin conflicts`"
        return [head, f"Sent to {self.remote}." if self.pushed else f"Nothing to send to {self.remote}."]


def sync(project, remote: str | None = None) -> SyncReport:
    """One round with `remote` (default: the branch's upstream, else origin, else the only one)."""
    folder = project.dir
    branch, remote = _preflight(folder, remote)
    joined = _join_twins(project)
    project.checkpoint()
    _commit_shared(folder, project.coder.name, f"{project.coder.name}'s coding")
    report = SyncReport(remote, conflicts=joined)
    theirs = _fetch(folder, remote, branch)
    head = git.head_commit(folder) or git.run(folder, "rev-parse", "HEAD").strip()
    if theirs and theirs != head:
        base = git.run(folder, "merge-base", head, theirs, check=False).strip()
        if not base:
            _refuse_another_project(project, theirs, remote)
        if base != theirs or project.marks(UNMERGED):  # the remote has work this copy lacks, or an undone merge's
            head = _merge_in(project, report, head, theirs, base)
    if theirs != head:
        try:
            git.run(folder, "push", "-q", "-u", remote, f"HEAD:refs/heads/{branch}")
        except GitFailed as failed:
            raise GitFailed(f"{remote} refused the push ({failed}); your work is committed here, run `margin sync` again") from None
        report.pushed = True
    remember_head(folder, head)
    return report


def _refuse_another_project(project, theirs: str, remote: str) -> None:
    """Refuse, before anything changes, a remote branch with no history in common with
    this clone that holds another project (a coder who ran `margin init` in their own
    clone, not the team's): `margin merge DIR` refuses it too."""
    raw = git.read_blobs(project.dir, [f"{theirs}:{layout.PROJECT_FILE}"]).get(f"{theirs}:{layout.PROJECT_FILE}")
    try:
        meta = orjson.loads(raw)["meta"]["project"] if raw else {}
    except (ValueError, KeyError, TypeError):
        meta = {}
    if meta.get("id") != project.meta.get("id"):
        raise BadInput(
            f"{remote} holds another project ({meta.get('name', 'not a Margin project')!r}), not this one; "
            "clone the team's repository (git clone URL) and code in that clone"
        )


def _join_twins(project) -> int:
    """Join the codes of one name under one parent that a hand `git pull` left side by
    side (the merge driver sees one file at a time), as one action listed in `margin
    conflicts`, before they are committed; how many were joined."""
    from store.team.sync import _keep_conflicts, join_twin_codes, twin_codes

    if not twin_codes(project.state.codes):
        return 0
    with project.operation("join the codes both copies made under one name"):
        joined = join_twin_codes(project, set())
        _keep_conflicts(project, joined)
    return len(joined)


def _preflight(folder: Path, remote: str | None) -> tuple[str, str]:
    """Refuse, before anything changes, what sync cannot do: no git, not a clone, a
    detached HEAD, an unknown remote, a merge left half done."""
    if not git.available():
        raise BadInput("git is not installed; install it (apt install git) and run `margin sync` again")
    if not git.is_clone(folder):
        raise BadInput(f"{folder} is not a git clone; clone the team's repository (git clone PATH) or run `git init` here")
    branch = git.current_branch(folder)
    if _merging(folder):
        raise BadInput("a git merge is in progress in this clone; finish it (git commit) or undo it (git merge --abort) first")
    remotes, upstream = git.remotes(folder, branch)
    if remote is None:
        remote = upstream or ("origin" if "origin" in remotes else (remotes[0] if len(remotes) == 1 else ""))
    if not remote or remote not in remotes:
        what = f"no remote named {remote}" if remote else "no remote to sync with"
        raise BadInput(f"{what}; add one with `git remote add {remote or 'origin'} PATH` (a bare repository the team shares)")
    return branch, remote


def _merging(folder: Path) -> bool:
    return (git.git_dir(folder) / "MERGE_HEAD").exists()


def _commit_shared(folder: Path, coder: str, message: str) -> None:
    """Commit the shared files as `coder` when they changed (nothing else of the clone's)."""
    paths = _shared_paths(folder)
    git.run(folder, "add", "-A", "--", *paths)
    changed = git.run(folder, "diff", "--cached", "--name-only", "-z", "--", *paths)
    if changed.strip("\0"):
        git.run(
            folder, "commit", "-q", "--no-verify", "-m", message, "--pathspec-from-file=-", "--pathspec-file-nul",
            data=changed.encode(), env=_as(coder),
        )  # fmt: skip


def _shared_paths(folder: Path, names=(*SHARED, ".gitignore", ".gitattributes")) -> list[str]:
    """The shared files' paths that git can be told about (a pathspec matching nothing is an error)."""
    return [name for name in names if (Path(folder) / name).exists()]


def _as(coder: str) -> dict:
    email = f"{coder}@margin.invalid"
    return {"GIT_AUTHOR_NAME": coder, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": coder, "GIT_COMMITTER_EMAIL": email}


def _fetch(folder: Path, remote: str, branch: str) -> str:
    """The remote branch's commit after fetching it; "" when the remote has no such branch yet."""
    try:
        git.run(folder, "fetch", "-q", remote, f"refs/heads/{branch}")
    except GitFailed as failed:
        if "couldn't find remote ref" in str(failed):
            return ""
        raise
    return git.fetched_commit(folder)


def tables_at(folder: Path, commit: str) -> tuple[dict, dict[str, str]]:
    """The project's tables as a commit holds them ({table: {id: record}}), and the blob
    ids of its source texts by document id. Empty for no commit."""
    tables: dict[str, dict] = {table: {} for table in ORDER}
    if not commit:
        return tables, {}
    blobs = git.shared_blobs(folder, commit)
    wanted = [blob for path, blob in blobs.items() if path.endswith(".json")]
    contents = git.read_blobs(folder, wanted)
    for path, blob in blobs.items():
        if not path.endswith(".json") or blob not in contents:
            continue
        data = orjson.loads(contents[blob])
        names = ("codings",) if path.startswith(layout.CODINGS_DIR + "/") else ("coders", "documents", "codes", "memos")
        for table in names:
            tables[table].update(data.get(table) or {})
    sources = {Path(path).stem: blob for path, blob in blobs.items() if path.startswith(layout.SOURCES_DIR + "/")}
    return tables, sources


def _merge_in(project, report: SyncReport, head: str, theirs: str, base: str) -> str:
    """Merge the remote's commit into the project and commit the merge; the new HEAD."""
    folder = project.dir
    index = _other_files_merged(folder, base or EMPTY_TREE, head, theirs)
    try:
        # Records hold no cycles; the collector's passes over the 100,000 held made the
        # 50,000 small lists of put_records' log cost 0.5 s (profiled).
        with paused_collector():
            found = filewise.sides(folder, base, head, theirs)
            result = filewise.merged(found, project)

            def text_of(document_id: str) -> str:
                blob = found.sources.get(document_id) or f"{theirs}:{layout.SOURCES_DIR}/{document_id}.txt"
                raw = git.read_blobs(folder, [blob]).get(blob)
                return raw.decode("utf-8") if raw is not None else project.text(document_id)

            merged = apply_merged(
                project, found.ours, found.theirs, result, text_of, f"sync with {report.remote}", report.remote, found.known
            )
            report.came_in, report.conflicts = merged.came_in, report.conflicts + len(merged.conflicts)
            report.removed, report.moved, report.removed_yours = merged.removed, merged.moved, merged.removed_yours
            project.checkpoint()
            return _commit_merge(project, index, head, theirs, fast_forward=base == head, behind=base == theirs)
    finally:
        if os.path.exists(index["GIT_INDEX_FILE"]):
            os.unlink(index["GIT_INDEX_FILE"])


def _other_files_merged(folder: Path, base: str, head: str, theirs: str) -> dict:
    """A temporary index holding git's three-way merge of the clone's files other than
    Margin's; refuses (nothing changed yet) when one of those conflicts."""
    fd, path = tempfile.mkstemp(prefix="margin-index-", dir=git.git_dir(folder))
    os.close(fd)
    os.unlink(path)
    index = {"GIT_INDEX_FILE": path}
    try:  # from the clone's index, so that its files' stat data stays and `add` hashes only what the merge wrote
        shutil.copyfile(git.git_dir(folder) / "index", path)
        git.run(folder, "read-tree", "-m", "-i", "--aggressive", base, head, theirs, env=index)
    except (OSError, GitFailed):  # no index yet, or one git will not merge into (something else staged)
        with contextlib.suppress(OSError):
            os.unlink(path)
        git.run(folder, "read-tree", "-m", "-i", "--aggressive", base, head, theirs, env=index)
    unmerged = {line.split("\t", 1)[1] for line in git.run(folder, "ls-files", "-u", env=index).splitlines() if "\t" in line}
    others = sorted(p for p in unmerged if not p.startswith(SHARED))
    if others:
        os.unlink(path)
        raise GitFailed(f"{others[0]} (not a Margin file) changed on both sides; merge it with git first, then `margin sync`")
    return index


def _commit_merge(project, index: dict, head: str, theirs: str, fast_forward: bool, behind: bool = False) -> str:
    """The merge commit (parents: this copy's commit and the remote's; this copy's alone
    when the remote's is behind it, `behind`: a merge that brought again what an undone
    one took back), with Margin's files as the checkpoint wrote them; the clone's index
    and other files follow. Returns it."""
    folder = project.dir
    git.run(folder, "add", "-A", "--", *_shared_paths(folder, SHARED), env=index)
    tree = git.run(folder, "write-tree", env=index).strip()
    if fast_forward and tree == git.run(folder, "rev-parse", f"{theirs}^{{tree}}").strip():
        commit = theirs  # nothing of ours the remote lacks
    else:
        message = f"{project.coder.name} synced".encode()
        parents = ["-p", head] if behind else ["-p", head, "-p", theirs]
        commit = git.run(folder, "commit-tree", tree, *parents, data=message, env=_as(project.coder.name)).strip()
    changed = git.run(folder, "diff", "--name-only", "-z", head, commit, "--", ".", *(f":!{p}" for p in SHARED)).split("\0")
    git.run(folder, "update-ref", "-m", "margin sync", "HEAD", commit, head)
    os.replace(index["GIT_INDEX_FILE"], git.git_dir(folder) / "index")  # the merge's index is the clone's now
    others = [p for p in changed if p]
    if others:
        git.run(folder, "checkout", "-q", commit, "--", *others, check=False)
    return commit


def remember_head(folder: Path, commit: str) -> None:
    """Note the commit this copy's files now match (merges/git-head, local)."""
    make_dir(Path(folder) / BASES_DIR)
    write_atomic(Path(folder) / BASES_DIR / HEAD_FILE, commit.encode() + b"\n")


def remembered_head(folder: Path) -> str:
    try:
        return (Path(folder) / BASES_DIR / HEAD_FILE).read_text().strip()
    except OSError:
        return ""
