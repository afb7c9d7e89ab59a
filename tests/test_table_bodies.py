"""project.json's tables are encoded once each until a write to that table (storage.py
`MemoryStorage.write_table`): whatever mix of writes, the bytes a checkpoint writes are
the bytes of the data as it is (a stale table would be a silent loss at the next open)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from store.storage import dump_tables, open_db

TABLES = st.sampled_from(["codes", "memos", "deleted", "meta", "coders"])
KEYS = st.sampled_from(["a", "b", "c", "d"])
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), TABLES, KEYS, st.integers(0, 9)),
        st.tuples(st.just("delete"), TABLES, KEYS, st.just(0)),
        st.tuples(st.just("set_many"), TABLES, KEYS, st.integers(0, 9)),
        st.tuples(st.just("drop"), TABLES, KEYS, st.just(0)),
        st.tuples(st.just("encode"), TABLES, KEYS, st.just(0)),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(STEPS)
def test_the_encoded_file_is_always_the_data_as_it_is(tmp_path_factory, steps):
    db = open_db(tmp_path_factory.mktemp("bodies") / "project.json", {"meta": {"project": {"id": "p"}}}, cache_tables=True)
    for what, table, key, value in steps:
        if what == "set":
            db.table(table).set(key, {"id": key, "n": value})
        elif what == "delete":
            db.table(table).delete(key)
        elif what == "set_many":
            db.table(table).set_many({key: {"id": key, "n": value}, "z": {"id": "z", "n": value}})
        elif what == "drop":
            db.drop_table(table)
        assert db.storage.encoded() == dump_tables(db.storage.read())
