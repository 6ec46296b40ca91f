#!/usr/bin/env python3
"""Writes the binary seed inputs of the fuzz targets: fuzz/seeds/bind/ (packed cells),
fuzz/seeds/dbfile/ (database files, some with a WAL after them) and fuzz/seeds/vfs/ (a fault
to inject, then SQL). The SQL seeds of sql and columns are written by hand.
Random blobs and WAL salts make each run's database files differ: commit them only when what
they hold should change. Run again after changing what they should cover, and commit what it writes."""

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


# The vfs target's header: the VFS call that fails (0: none), then the code's index in
# fuzz/targets/vfs.cc's kCodes, | 0x80 for every call after it failing too.
def fault(at, code, sticky=False):
    return struct.pack("<HB", at, code | (0x80 if sticky else 0))


# Statements alternate between the target's two connections: first, second, first, ...
WAL_SQL = {
    "readers-and-writers": """CREATE TABLE t(x INTEGER PRIMARY KEY, y TEXT);
        SELECT * FROM t;
        INSERT INTO t(y) SELECT printf('%.*c', value * 20, 'w') FROM fz_series(1, 40);
        SELECT count(*), sum(length(y)) FROM t;
        BEGIN;
        SELECT max(x) FROM t;
        INSERT INTO t(y) VALUES ('from the second');
        COMMIT;
        PRAGMA wal_checkpoint(PASSIVE);
        SELECT y FROM t ORDER BY x DESC LIMIT 3;""",
    "checkpoints": """CREATE TABLE c(v BLOB);
        PRAGMA wal_autocheckpoint = 4;
        INSERT INTO c SELECT randomblob(900) FROM fz_series(1, 30);
        DELETE FROM c WHERE rowid % 3 = 0;
        PRAGMA wal_checkpoint(RESTART);
        SELECT count(*) FROM c;
        PRAGMA wal_checkpoint(TRUNCATE);
        VACUUM;
        PRAGMA integrity_check;""",
    "locking": """CREATE TABLE k(a);
        BEGIN IMMEDIATE;
        INSERT INTO k VALUES (1);
        INSERT INTO k VALUES (2);
        SELECT * FROM k;
        ROLLBACK;
        COMMIT;
        BEGIN EXCLUSIVE;
        PRAGMA journal_mode = DELETE;
        SELECT * FROM k;
        PRAGMA journal_mode = WAL;
        PRAGMA locking_mode = EXCLUSIVE;""",
}

VFS_SEEDS = {
    "no-fault": (fault(0, 0), "readers-and-writers"),
    "ioerr-early": (fault(7, 0), "readers-and-writers"),
    "full-from-40": (fault(40, 1, sticky=True), "checkpoints"),
    "busy-at-25": (fault(25, 2), "locking"),
    "short-read-at-60": (fault(60, 3), "checkpoints"),
    "foreign-code-at-90": (fault(90, 7), "readers-and-writers"),
}


def write_vfs():
    out = os.path.join(HERE, "seeds", "vfs")
    os.makedirs(out, exist_ok=True)
    for name, (header, sql) in VFS_SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(header + WAL_SQL[sql].encode())


if __name__ == "__main__":
    write_bind()
    write_dbfile()
    write_vfs()
