CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, tags BLOB);
CREATE INDEX item_name ON item(name);
INSERT INTO item(name, price, tags) VALUES ('pen', 1.5, x'0102'), ('ink', NULL, zeroblob(4)), ('pad', -0.0, NULL);
UPDATE item SET price = price * 2 WHERE name LIKE 'p%';
SELECT id, name, typeof(price), hex(tags) FROM item ORDER BY name DESC;
DELETE FROM item WHERE price IS NULL RETURNING id;
SELECT count(*), sum(price), group_concat(name, '|') FROM item;
