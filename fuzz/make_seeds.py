#!/usr/bin/env python3
"""Writes the binary seed inputs of the fuzz targets: fuzz/seeds/bind/ (packed cells) and
fuzz/seeds/dbfile/ (database files, some with a WAL after them). The SQL seeds are written by
hand. Run again after changing what they should cover, and commit what it writes."""

import os
import shutil
import sqlite3
import struct
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


# The cell encoding of guest/sqlite/packed.cc: a tag byte, then 8 bytes little-endian for an
# integer or real, or a u32 length and the bytes for text and blobs.
def null():
    return b"\x00"


def integer(v):
    return b"\x01" + struct.pack("<q", v)


def real(v):
    return b"\x02" + struct.pack("<d", v)


def text(s):
    data = s.encode() if isinstance(s, str) else s
    return b"\x03" + struct.pack("<I", len(data)) + data


def blob(b):
    return b"\x04" + struct.pack("<I", len(b)) + b


BIND_SEEDS = {
    "empty": b"",
    "one-integer": integer(42),
    "one-text": text("héllo"),
    "each-type": null() + integer(-(2**63)) + real(2.5) + text("") + blob(b"\x00\xff"),
    "nan-and-zero": real(float("nan")) + real(-0.0) + real(float("inf")),
    "many": b"".join(integer(i) for i in range(20)),
    "invalid-utf8": text(b"\xc3\x28\xff") + blob(b""),
    "cut-text": text("abcdef")[:-2],
    "bad-tag": integer(1) + b"\x07",
}


def write_bind():
    out = os.path.join(HERE, "seeds", "bind")
    os.makedirs(out, exist_ok=True)
    for name, data in BIND_SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


# Each database as the SQL that makes it; small pages keep the files small.
DATABASES = {
    "rowid": """PRAGMA page_size=512;
        CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, data BLOB);
        CREATE INDEX t_name ON t(name);
        INSERT INTO t(name, data) VALUES ('a', randomblob(40)), ('b', zeroblob(900)), ('c', NULL);""",
    "without-rowid": """PRAGMA page_size=512;
        CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
        CREATE VIEW kv_view AS SELECT k, length(v) FROM kv;
        CREATE TRIGGER kv_log AFTER INSERT ON kv BEGIN SELECT 1; END;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
        INSERT INTO kv SELECT printf('key%03d', i), i * 1.5 FROM n;""",
    "autovacuum-freelist": """PRAGMA page_size=512; PRAGMA auto_vacuum=INCREMENTAL;
        CREATE TABLE a(x);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
        INSERT INTO a SELECT randomblob(300) FROM n;
        DELETE FROM a WHERE rowid % 2;""",
    "fts5": """PRAGMA page_size=1024;
        CREATE VIRTUAL TABLE docs USING fts5(body);
        INSERT INTO docs VALUES ('alpha beta'), ('beta gamma'), ('gamma delta');""",
}


def write_dbfile():
    out = os.path.join(HERE, "seeds", "dbfile")
    os.makedirs(out, exist_ok=True)
    scratch = tempfile.mkdtemp()
    try:
        for name, sql in DATABASES.items():
            path = os.path.join(scratch, name + ".db")
            db = sqlite3.connect(path)
            db.executescript(sql)
            db.close()
            shutil.copy(path, os.path.join(out, name))
        # WAL: the database with commits still in its WAL, copied while the connection holds
        # them there (closing it would checkpoint them away); the target splits at the magic.
        path = os.path.join(scratch, "wal.db")
        db = sqlite3.connect(path, isolation_level=None)
        db.executescript("""PRAGMA page_size=512; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
            CREATE TABLE w(x, y); CREATE INDEX w_y ON w(y);""")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for i in range(6):
            db.execute("INSERT INTO w VALUES (?, ?)", (i, "v" * (i * 50)))
        with open(path, "rb") as f:
            main = f.read()
        with open(path + "-wal", "rb") as f:
            wal = f.read()
        db.close()
        with open(os.path.join(out, "wal"), "wb") as f:
            f.write(main + wal)
    finally:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    write_bind()
    write_dbfile()
