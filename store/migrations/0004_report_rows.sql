-- The report rows of the one fold (report/fold): the same tables and columns
-- as in MySQL (store/mysql/migrations), so one report code reads either. The
-- old projection tables were derived and are rebuilt from the journal: the
-- projection cursor goes back to 0. Times are UTC text
-- "2006-01-02 15:04:05.000000"; days are "2006-01-02".
DROP TABLE IF EXISTS tickets;
DROP TABLE IF EXISTS calls;
DROP TABLE IF EXISTS ratings;
DROP TABLE IF EXISTS counter_sessions;
DELETE FROM cursors WHERE name = 'projections';

CREATE TABLE tickets (
	hall            TEXT    NOT NULL,
	ticket_id       TEXT    NOT NULL,
	day             TEXT    NOT NULL,
	number          TEXT    NOT NULL,
	n               INTEGER NOT NULL DEFAULT 0,
	service         TEXT    NOT NULL,
	first_service   TEXT    NOT NULL,
	channel         TEXT    NOT NULL DEFAULT '',
	appointment     TEXT,
	status          TEXT    NOT NULL,
	issued_at       TEXT,
	called_at       TEXT,
	started_at      TEXT,
	finished_at     TEXT,
	ended_at        TEXT,
	counter         TEXT,
	staff_id        TEXT,
	waited_s        INTEGER,
	served_s        INTEGER,
	calls           INTEGER NOT NULL DEFAULT 0,
	recalls         INTEGER NOT NULL DEFAULT 0,
	transfers       INTEGER NOT NULL DEFAULT 0,
	no_shows        INTEGER NOT NULL DEFAULT 0,
	call_seq        INTEGER,
	rating          INTEGER,
	rated_at        TEXT,
	end_reason      TEXT,
	updated_seq     INTEGER NOT NULL,
	first_called_at TEXT,
	est_wait_s      INTEGER,
	unrated         INTEGER NOT NULL DEFAULT 0,
	rating_id       TEXT,
	case_kind       TEXT,
	case_no         TEXT,
	promised_date   TEXT,
	wait_us         INTEGER,
	service_us      INTEGER,
	PRIMARY KEY (hall, ticket_id)
) WITHOUT ROWID; -- clustered by ticket id, which starts with the day: a month is one range

CREATE INDEX tickets_day_service ON tickets(hall, day, service);
CREATE INDEX tickets_day_counter ON tickets(hall, day, counter);

CREATE TABLE calls (
	hall        TEXT    NOT NULL,
	seq         INTEGER NOT NULL,
	ticket_id   TEXT    NOT NULL,
	day         TEXT    NOT NULL,
	number      TEXT    NOT NULL,
	service     TEXT    NOT NULL,
	channel     TEXT    NOT NULL DEFAULT '',
	counter     TEXT    NOT NULL,
	staff_id    TEXT,
	called_at   TEXT    NOT NULL,
	waited_s    INTEGER,
	recalls     INTEGER NOT NULL DEFAULT 0,
	started_at  TEXT,
	ended_at    TEXT,
	served_s    INTEGER,
	outcome     TEXT,
	to_service  TEXT,
	to_counter  TEXT,
	rating      INTEGER,
	updated_seq INTEGER NOT NULL,
	PRIMARY KEY (hall, seq)
);
CREATE INDEX calls_day_counter ON calls(hall, day, counter);

CREATE TABLE ratings (
	hall      TEXT    NOT NULL,
	seq       INTEGER NOT NULL,
	ticket_id TEXT    NOT NULL,
	day       TEXT    NOT NULL,
	number    TEXT    NOT NULL,
	service   TEXT    NOT NULL,
	counter   TEXT    NOT NULL,
	staff_id  TEXT,
	level     INTEGER NOT NULL,
	dims      TEXT,
	at        TEXT    NOT NULL,
	rating_id TEXT,
	reasons   TEXT,
	text      TEXT,
	case_id   TEXT,
	PRIMARY KEY (hall, seq)
);
CREATE INDEX ratings_day_counter ON ratings(hall, day, counter);

CREATE TABLE rating_dims (
	hall  TEXT    NOT NULL,
	seq   INTEGER NOT NULL,
	dim   TEXT    NOT NULL,
	level INTEGER NOT NULL,
	PRIMARY KEY (hall, seq, dim)
);

CREATE TABLE counter_sessions (
	hall         TEXT    NOT NULL,
	open_seq     INTEGER NOT NULL,
	counter      TEXT    NOT NULL,
	staff_id     TEXT,
	opened_at    TEXT    NOT NULL,
	closed_at    TEXT,
	close_seq    INTEGER,
	close_reason TEXT,
	open_s       INTEGER,
	pauses       INTEGER NOT NULL DEFAULT 0,
	paused_s     INTEGER NOT NULL DEFAULT 0,
	paused_at    TEXT,
	updated_seq  INTEGER NOT NULL,
	PRIMARY KEY (hall, open_seq)
);
CREATE INDEX counter_sessions_opened ON counter_sessions(hall, opened_at);

CREATE TABLE cases (
	hall           TEXT    NOT NULL,
	case_id        TEXT    NOT NULL,
	rating_id      TEXT,
	ticket_id      TEXT,
	day            TEXT    NOT NULL,
	number         TEXT,
	service        TEXT,
	counter        TEXT,
	staff_id       TEXT,
	level          INTEGER NOT NULL DEFAULT 0,
	status         TEXT    NOT NULL,
	created_at     TEXT,
	verify_by      TEXT,
	rectify_by     TEXT,
	verified_at    TEXT,
	rectified_at   TEXT,
	callback_at    TEXT,
	followup_level INTEGER,
	steps          INTEGER NOT NULL DEFAULT 0,
	updated_seq    INTEGER NOT NULL,
	PRIMARY KEY (hall, case_id)
);
CREATE INDEX cases_day ON cases(hall, day);

CREATE TABLE staff_signins (
	hall       TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	counter    TEXT    NOT NULL,
	staff_id   TEXT    NOT NULL,
	from_staff TEXT,
	at         TEXT    NOT NULL,
	PRIMARY KEY (hall, seq)
);
