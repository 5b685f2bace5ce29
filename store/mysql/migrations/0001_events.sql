-- The replicated journal: every event of every hall, keyed by (hall, seq).
-- Times are UTC. data is the queue.Event exactly as the hall journalled it,
-- including the citizen's id_hash: grant report users the projections, not
-- this table.
CREATE TABLE IF NOT EXISTS events (
	hall VARCHAR(64) NOT NULL,
	seq  BIGINT      NOT NULL,
	kind VARCHAR(40) NOT NULL,
	at   DATETIME(6) NOT NULL,
	data JSON        NOT NULL,
	PRIMARY KEY (hall, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- How far each hall's journal has been copied. It moves in the same
-- transaction as the rows it covers.
CREATE TABLE IF NOT EXISTS replication_cursors (
	hall       VARCHAR(64) NOT NULL,
	seq        BIGINT      NOT NULL DEFAULT 0, -- last event copied
	event_at   DATETIME(6) NULL,               -- its time
	req_at     BIGINT      NOT NULL DEFAULT 0, -- unix second of the newest idempotency record copied
	updated_at DATETIME(6) NOT NULL,
	PRIMARY KEY (hall)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The halls that replicate here.
CREATE TABLE IF NOT EXISTS halls (
	hall       VARCHAR(64)  NOT NULL,
	name_zh    VARCHAR(255) NOT NULL DEFAULT '',
	name_en    VARCHAR(255) NOT NULL DEFAULT '',
	timezone   VARCHAR(64)  NOT NULL DEFAULT 'Asia/Shanghai',
	first_seen DATETIME(6)  NOT NULL,
	updated_at DATETIME(6)  NOT NULL,
	PRIMARY KEY (hall)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
