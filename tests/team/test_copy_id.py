"""`margin merge DIR` knows the other copy by its copy id (merges/copy-id), not by the path
it was reached through (issue 12): the same copy through a symlink, a bind mount, or its
folder moved or renamed keeps its base, so what it deleted since goes; a `cp -r` copy of a
folder does not claim the original's id (it would take the original's base and lose what
the original got since); snapshots keyed by path (before copy ids) are still found, and
moved to the copy id's key by the next merge. Real folders throughout."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from store.project import Project
from store.team import sync
from tests.team.test_merge_generations import merged, started


def codings(folder: Path) -> set[str]:
    with Project.open(folder, readonly=True) as p:
        return set(p.state.codings)


def delete_coding(folder: Path, key: str) -> None:
    with Project.open(folder, coder="bob") as p, p.operation("delete a coding"):
        p.delete(p.state.codings[key])


def met(tmp_path: Path) -> tuple[Path, Path]:
    """alice's project and bob's copy of it, which alice has merged once (so each has a
    copy id, and alice a snapshot of bob's)."""
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    started(alice)
    shutil.copytree(alice, bob)
    merged(alice, bob, "alice")
    return alice, bob


def a_deletion_carries(alice: Path, bob: Path, reached: Path) -> list[str]:
    """bob deletes a coding; alice merges bob's copy reached at `reached`: the coding goes
    from alice's, nothing is listed as a conflict."""
    delete_coding(bob, "c1")
    lines = merged(alice, reached, "alice")
    assert "c1" not in codings(alice), lines
    assert lines[0].endswith("; 0 conflicts"), lines
    return lines


def test_through_a_symlink_the_copy_keeps_its_base(tmp_path):
    alice, bob = met(tmp_path)
    link = tmp_path / "elsewhere"
    link.symlink_to(bob)
    a_deletion_carries(alice, bob, link)


def test_a_renamed_and_moved_folder_keeps_its_base(tmp_path):
    alice, bob = met(tmp_path)
    (tmp_path / "usb").mkdir()
    moved = tmp_path / "usb" / "study-bob"
    bob.rename(moved)
    a_deletion_carries(alice, moved, moved)
    # and the merging copy moved: bob's snapshot of alice (keyed by alice's id) still holds
    merged(moved, alice, "bob")
    alice.rename(tmp_path / "alice-now")
    delete_coding(tmp_path / "alice-now", "c2")
    assert merged(moved, tmp_path / "alice-now", "bob")[0].endswith("; 0 conflicts")
    assert "c2" not in codings(moved)


def test_through_a_bind_mount_the_copy_keeps_its_base(tmp_path):
    alice, bob = met(tmp_path)
    mount = tmp_path / "srv" / "share" / "bob"
    mount.mkdir(parents=True)
    if subprocess.run(["mount", "--bind", str(bob), str(mount)], capture_output=True).returncode != 0:
        pytest.skip("bind mounts need root")
    try:
        a_deletion_carries(alice, bob, mount)
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_cp_r_copy_is_another_copy_and_loses_nothing(tmp_path):
    """bob2 is a copy of bob's folder taken before bob coded c12; alice then got c12 from
    bob. Were bob2 taken for bob, alice's snapshot of bob (holding c12) would be its base,
    and c12, which bob2 never had, would go."""
    alice, bob = met(tmp_path)
    bob2 = tmp_path / "bob2"
    shutil.copytree(bob, bob2)
    with Project.open(bob, coder="bob") as p, p.operation("code"):
        first = p.state.codings["c0"]
        p.put(type(first)("c12", first.document, first.code, 40, 49, "", first.coder, "t1", "t1"))
    merged(alice, bob, "alice")
    assert "c12" in codings(alice)
    assert sync.copy_id(bob2) is None  # claims bob's id, but is not bob's folder
    merged(alice, bob2, "alice")
    assert "c12" in codings(alice)
    merged(bob2, alice, "bob")  # bob2's first merge makes it an id of its own
    assert sync.copy_id(bob2) not in (None, sync.copy_id(bob))


def test_a_snapshot_keyed_by_path_is_found_and_moved_to_the_copy_id(tmp_path):
    """What a merge from before copy ids kept (merges/<key of id and path>.base)."""
    alice, bob = met(tmp_path)
    ours, theirs = SimpleNamespace(dir=alice), SimpleNamespace(dir=bob, meta={"id": project_id(bob)})
    by_id = sync.base_path(ours, theirs, sync.SNAPSHOT)
    for folder in (alice, bob):
        (folder / sync.BASES_DIR / sync.COPY_ID_FILE).unlink()
    by_path = sync.base_path(ours, theirs, sync.SNAPSHOT)
    assert by_path != by_id
    by_id.rename(by_path)
    a_deletion_carries(alice, bob, bob)
    assert by_path.exists() is False
    assert sync.base_path(ours, theirs, sync.SNAPSHOT).exists()


def test_a_folder_that_cannot_be_written_is_keyed_by_its_path(tmp_path, monkeypatch):
    """A copy on a read-only disk gets no id: the base is keyed by its path, as before."""
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    started(alice)
    shutil.copytree(alice, bob)
    real = sync._write_copy_id

    def refused(folder, replace):
        if Path(folder) == bob:
            raise PermissionError(13, "Read-only file system")
        return real(folder, replace)

    monkeypatch.setattr(sync, "_write_copy_id", refused)
    merged(alice, bob, "alice")
    assert sync.copy_id(bob) is None and not (bob / sync.BASES_DIR).exists()
    a_deletion_carries(alice, bob, bob)


def project_id(folder: Path) -> str:
    with Project.open(folder, readonly=True) as p:
        return p.meta["id"]


def _moved(tmp, folder):
    folder.rename(tmp / "moved")
    return tmp / "moved"


def _renamed_in_place(tmp, folder):
    folder.rename(tmp / "renamed")
    return tmp / "renamed"


def _symlinked(tmp, folder):
    (tmp / "link").symlink_to(folder)
    return tmp / "link"


def _copied(tmp, folder):
    shutil.copytree(folder, tmp / "copy")
    return tmp / "copy"


def _copied_as_the_original(tmp, folder):
    """cp -r, the original gone, the copy put where it was: at the path it was made in it
    is the copy it was (today's rule, and what a disk remounted at the same place needs)."""
    shutil.copytree(folder, tmp / "copy")
    shutil.rmtree(folder)
    (tmp / "copy").rename(folder)
    return folder


def _original_after_a_copy(tmp, folder):
    shutil.copytree(folder, tmp / "copy")
    return folder


def _damaged(tmp, folder):
    (folder / sync.BASES_DIR / sync.COPY_ID_FILE).write_bytes(b"{not json")
    return folder


def _copied_record(tmp, folder):
    """Another copy's record copied in by hand (its path and inodes are not this one's)."""
    (tmp / "other").mkdir()
    sync.own_copy_id(tmp / "other", replace=True)
    os.replace(tmp / "other" / sync.BASES_DIR / sync.COPY_ID_FILE, folder / sync.BASES_DIR / sync.COPY_ID_FILE)
    return folder


@pytest.mark.parametrize(
    "reach, same",
    [
        (lambda tmp, folder: folder, True),
        (_moved, True),
        (_renamed_in_place, True),
        (_symlinked, True),
        (_original_after_a_copy, True),
        (_copied_as_the_original, True),
        (_copied, False),
        (_damaged, False),
        (_copied_record, False),
    ],
)
def test_a_folder_keeps_its_copy_id_only_where_it_is_that_copy(tmp_path, reach, same):
    folder = tmp_path / "study"
    (folder / sync.BASES_DIR).mkdir(parents=True)
    made = sync.own_copy_id(folder, replace=True)
    assert made and sync.own_copy_id(folder, replace=True) == made  # made once
    reached = reach(tmp_path, folder)
    assert (sync.copy_id(reached) == made) is same
    assert (sync.copy_id(reached) is None) is not same
    assert sync.own_copy_id(reached, replace=False) == (made if same else None)  # another copy's record stays
    renewed = sync.own_copy_id(reached, replace=True)
    assert (renewed == made) is same and renewed is not None and sync.copy_id(reached) == renewed


def test_another_users_folder_is_not_written(tmp_path, monkeypatch):
    """bob's folder on a shared disk, which alice may write: her merge makes no merges/ in
    it (one of mode 700 made by alice would stop bob's own merges); keyed by its path."""
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    started(alice)
    shutil.copytree(alice, bob)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(bob).st_uid + 1)
    merged(alice, bob, "alice")
    assert not (bob / sync.BASES_DIR).exists() and sync.copy_id(alice) is not None
    a_deletion_carries(alice, bob, bob)
