CREATE TABLE person(id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL COLLATE NOCASE, born DATE, score DECIMAL(5,2));
CREATE TABLE pet(id INTEGER PRIMARY KEY, owner INTEGER REFERENCES person(id), kind TEXT, photo BLOB);
CREATE VIEW owner AS SELECT person.name AS who, pet.kind, pet.id + 1 AS next_id, (SELECT count(*) FROM pet) AS pets
FROM person JOIN pet ON pet.owner = person.id;
INSERT INTO person VALUES (1, 'ada', '1815-12-10', 99.5);
INSERT INTO pet VALUES (1, 1, 'cat', x'ff');
