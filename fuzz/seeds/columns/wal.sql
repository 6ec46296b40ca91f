PRAGMA page_size = 1024;
PRAGMA journal_mode = WAL;
CREATE TABLE w(k INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
INSERT INTO w(v) SELECT printf('%.*c', value * 40, 'x') FROM fz_series(1, 30);
CREATE INDEX w_v ON w(v);
ATTACH 'side.db' AS side;
CREATE TABLE side.t(a);
