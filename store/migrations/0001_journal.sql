-- The journal: every hall event, in sequence, grouped in batches that share
-- one commit. crc chains each row to the one before it; the last row of a
-- batch has last = 1, so a torn or incomplete tail batch can be detected.
CREATE TABLE events (
	seq   INTEGER PRIMARY KEY,
	batch INTEGER NOT NULL,
	last  INTEGER NOT NULL DEFAULT 0,
	kind  TEXT    NOT NULL,
	data  BLOB    NOT NULL,
	crc   INTEGER NOT NULL
);
CREATE INDEX events_batch ON events(batch);

-- Idempotency records: (source, req_id) -> the response given the first time.
CREATE TABLE requests (
	source   TEXT    NOT NULL,
	req_id   TEXT    NOT NULL,
	at       INTEGER NOT NULL, -- unix seconds
	seq      INTEGER NOT NULL, -- the hall seq when it was answered
	response BLOB    NOT NULL,
	PRIMARY KEY (source, req_id)
) WITHOUT ROWID;
CREATE INDEX requests_at ON requests(at);

-- Snapshots of the whole state after seq.
CREATE TABLE snapshots (
	seq  INTEGER PRIMARY KEY,
	crc  INTEGER NOT NULL, -- the journal crc at seq
	data BLOB    NOT NULL
);

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
