-- Queryable projections of the journal, kept by the projector a little behind
-- the journal. They can always be rebuilt from the events.
CREATE TABLE tickets (
	ticket_id   TEXT PRIMARY KEY,
	day         TEXT NOT NULL,
	number      TEXT NOT NULL,
	service     TEXT NOT NULL,
	channel     TEXT NOT NULL,
	status      TEXT NOT NULL,
	issued_at   TEXT NOT NULL,
	called_at   TEXT,
	started_at  TEXT,
	finished_at TEXT,
	counter     TEXT,
	staff_id    TEXT,
	waited_s    INTEGER,
	served_s    INTEGER,
	recalls     INTEGER NOT NULL DEFAULT 0,
	transfers   INTEGER NOT NULL DEFAULT 0,
	rating      INTEGER,
	updated_seq INTEGER NOT NULL
);
CREATE INDEX tickets_day ON tickets(day, service);

-- One row per call of a ticket at a counter (a visit).
CREATE TABLE calls (
	seq       INTEGER PRIMARY KEY,
	ticket_id TEXT NOT NULL,
	number    TEXT NOT NULL,
	service   TEXT NOT NULL,
	counter   TEXT NOT NULL,
	staff_id  TEXT,
	kind      TEXT NOT NULL, -- ticket.called or ticket.recalled
	at        TEXT NOT NULL,
	waited_s  INTEGER
);
CREATE INDEX calls_ticket ON calls(ticket_id);

CREATE TABLE ratings (
	ticket_id TEXT PRIMARY KEY,
	seq       INTEGER NOT NULL,
	number    TEXT NOT NULL,
	service   TEXT NOT NULL,
	counter   TEXT NOT NULL,
	staff_id  TEXT,
	level     INTEGER NOT NULL,
	dims      TEXT,
	at        TEXT NOT NULL
);

-- Attendance: a counter opened by staff until it closed.
CREATE TABLE counter_sessions (
	open_seq  INTEGER PRIMARY KEY,
	counter   TEXT NOT NULL,
	staff_id  TEXT,
	opened_at TEXT NOT NULL,
	closed_at TEXT,
	close_seq INTEGER
);

CREATE TABLE cursors (
	name TEXT PRIMARY KEY,
	seq  INTEGER NOT NULL
);
