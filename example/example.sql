-- Sample data for `npm start`: the shell runs this with -init before its prompt.
-- Safe to run on every start: nothing is created or inserted twice.
CREATE TABLE IF NOT EXISTS planets(
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  moons INTEGER NOT NULL,
  mean_radius_km REAL NOT NULL,
  day_hours REAL
);
INSERT OR IGNORE INTO planets VALUES
  ('Mercury', 'terrestrial', 0, 2439.7, 4222.6),
  ('Venus', 'terrestrial', 0, 6051.8, 2802.0),
  ('Earth', 'terrestrial', 1, 6371.0, 24.0),
  ('Mars', 'terrestrial', 2, 3389.5, 24.7),
  ('Jupiter', 'gas giant', 95, 69911.0, 9.9),
  ('Saturn', 'gas giant', 146, 58232.0, 10.7),
  ('Uranus', 'ice giant', 28, 25362.0, 17.2),
  ('Neptune', 'ice giant', 16, 24622.0, 16.1);

CREATE TABLE IF NOT EXISTS missions(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  planet TEXT NOT NULL REFERENCES planets(name),
  launched INTEGER NOT NULL,
  patch BLOB
);
INSERT OR IGNORE INTO missions VALUES
  (1, 'Mariner 10', 'Mercury', 1973, NULL),
  (2, 'Magellan', 'Venus', 1989, NULL),
  (3, 'Curiosity', 'Mars', 2011, x'4d534c'),
  (4, 'Juno', 'Jupiter', 2011, NULL),
  (5, 'Cassini–Huygens', 'Saturn', 1997, NULL),
  (6, 'Voyager 2', 'Neptune', 1977, x'5632');

CREATE VIEW IF NOT EXISTS planet_missions AS
  SELECT p.name AS planet, count(m.id) AS missions, min(m.launched) AS first_launch
  FROM planets p LEFT JOIN missions m ON m.planet = p.name
  GROUP BY p.name;
