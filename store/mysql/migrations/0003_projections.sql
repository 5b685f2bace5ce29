-- Report tables derived from the events, written in the same transaction as
-- the events they come from. day is the hall-local business day of the
-- ticket; times are UTC. updated_seq is the last event applied to a row, so
-- copying an event twice never changes a row twice.

-- One row per ticket, as it is now.
CREATE TABLE IF NOT EXISTS tickets (
	hall          VARCHAR(64) NOT NULL,
	ticket_id     VARCHAR(64) NOT NULL, -- 20261123-A024
	day           DATE        NOT NULL,
	number        VARCHAR(16) NOT NULL,
	n             INT         NOT NULL DEFAULT 0,
	service       VARCHAR(64) NOT NULL, -- where it is (after transfers)
	first_service VARCHAR(64) NOT NULL, -- where it was issued
	channel       VARCHAR(16) NOT NULL DEFAULT '',
	appointment   VARCHAR(32) NULL,
	status        VARCHAR(16) NOT NULL,
	issued_at     DATETIME(6) NULL,
	called_at     DATETIME(6) NULL,     -- the last call
	started_at    DATETIME(6) NULL,
	finished_at   DATETIME(6) NULL,
	ended_at      DATETIME(6) NULL,     -- done, no-show, cancelled or expired
	counter       VARCHAR(32) NULL,     -- last called at
	staff_id      VARCHAR(64) NULL,
	waited_s      INT         NULL,     -- issue to first call
	served_s      INT         NULL,
	calls         INT         NOT NULL DEFAULT 0,
	recalls       INT         NOT NULL DEFAULT 0,
	transfers     INT         NOT NULL DEFAULT 0,
	no_shows      INT         NOT NULL DEFAULT 0,
	call_seq      BIGINT      NULL,     -- the current visit (calls.seq)
	rating        TINYINT     NULL,
	rated_at      DATETIME(6) NULL,
	end_reason    VARCHAR(200) NULL,
	updated_seq   BIGINT      NOT NULL,
	PRIMARY KEY (hall, ticket_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per call of a ticket at a counter (a visit) and how it ended.
CREATE TABLE IF NOT EXISTS calls (
	hall        VARCHAR(64) NOT NULL,
	seq         BIGINT      NOT NULL, -- the ticket.called event
	ticket_id   VARCHAR(64) NOT NULL,
	day         DATE        NOT NULL,
	number      VARCHAR(16) NOT NULL,
	service     VARCHAR(64) NOT NULL,
	channel     VARCHAR(16) NOT NULL DEFAULT '',
	counter     VARCHAR(32) NOT NULL,
	staff_id    VARCHAR(64) NULL,
	called_at   DATETIME(6) NOT NULL,
	waited_s    INT         NULL,     -- issue to this call
	recalls     INT         NOT NULL DEFAULT 0,
	started_at  DATETIME(6) NULL,
	ended_at    DATETIME(6) NULL,
	served_s    INT         NULL,
	outcome     VARCHAR(16) NULL,     -- NULL while open; held; done, no_show, transferred, cancelled, expired
	to_service  VARCHAR(64) NULL,
	to_counter  VARCHAR(32) NULL,
	rating      TINYINT     NULL,
	updated_seq BIGINT      NOT NULL,
	PRIMARY KEY (hall, seq),
	KEY calls_ticket (hall, ticket_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per rating (好差评), with the level the citizen chose.
CREATE TABLE IF NOT EXISTS ratings (
	hall      VARCHAR(64) NOT NULL,
	seq       BIGINT      NOT NULL,
	ticket_id VARCHAR(64) NOT NULL,
	day       DATE        NOT NULL,
	number    VARCHAR(16) NOT NULL,
	service   VARCHAR(64) NOT NULL,
	counter   VARCHAR(32) NOT NULL,
	staff_id  VARCHAR(64) NULL,
	level     TINYINT     NOT NULL, -- 5 非常满意 .. 1 非常不满意 (rating_levels)
	dims      JSON        NULL,
	at        DATETIME(6) NOT NULL,
	PRIMARY KEY (hall, seq),
	KEY ratings_ticket (hall, ticket_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A rating's dimensions (审批行为, 办事效率, 服务态度, ...) one per row.
CREATE TABLE IF NOT EXISTS rating_dims (
	hall  VARCHAR(64) NOT NULL,
	seq   BIGINT      NOT NULL,
	dim   VARCHAR(32) NOT NULL,
	level TINYINT     NOT NULL,
	PRIMARY KEY (hall, seq, dim)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The national five levels, for reports.
CREATE TABLE IF NOT EXISTS rating_levels (
	level   TINYINT      NOT NULL,
	name_zh VARCHAR(32)  NOT NULL,
	name_en VARCHAR(64)  NOT NULL,
	bad     TINYINT      NOT NULL, -- 差评
	PRIMARY KEY (level)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO rating_levels (level, name_zh, name_en, bad) VALUES
	(5, '非常满意', 'Very satisfied', 0),
	(4, '满意', 'Satisfied', 0),
	(3, '基本满意', 'Fairly satisfied', 0),
	(2, '不满意', 'Dissatisfied', 1),
	(1, '非常不满意', 'Very dissatisfied', 1);

-- Attendance: a counter open with its staff member, from counter.opened to
-- counter.closed, with the time spent paused.
CREATE TABLE IF NOT EXISTS counter_sessions (
	hall         VARCHAR(64)  NOT NULL,
	open_seq     BIGINT       NOT NULL,
	counter      VARCHAR(32)  NOT NULL,
	staff_id     VARCHAR(64)  NULL,
	opened_at    DATETIME(6)  NOT NULL,
	closed_at    DATETIME(6)  NULL,
	close_seq    BIGINT       NULL,
	close_reason VARCHAR(200) NULL,
	open_s       INT          NULL,
	pauses       INT          NOT NULL DEFAULT 0,
	paused_s     INT          NOT NULL DEFAULT 0,
	paused_at    DATETIME(6)  NULL, -- set while paused
	updated_seq  BIGINT       NOT NULL,
	PRIMARY KEY (hall, open_seq),
	KEY counter_sessions_counter (hall, counter, close_seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
