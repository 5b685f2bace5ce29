-- The report rows of the one fold (report/fold), the same rows the local
-- SQLite store keeps (store/migrations/0003_report_rows.sql): what the
-- visits report, sampling and rankings read (docs/reports.md).
ALTER TABLE tickets ADD COLUMN first_called_at DATETIME(6) NULL;
ALTER TABLE tickets ADD COLUMN est_wait_s INT NULL;
ALTER TABLE tickets ADD COLUMN unrated TINYINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN rating_id VARCHAR(64) NULL;
ALTER TABLE tickets ADD COLUMN case_kind VARCHAR(16) NULL;
ALTER TABLE tickets ADD COLUMN case_no VARCHAR(64) NULL;
ALTER TABLE tickets ADD COLUMN promised_date DATE NULL;
ALTER TABLE tickets ADD COLUMN wait_us BIGINT NULL;
ALTER TABLE tickets ADD COLUMN service_us BIGINT NULL;
ALTER TABLE tickets ADD INDEX tickets_day_counter (hall, day, counter);
ALTER TABLE ratings ADD COLUMN rating_id VARCHAR(64) NULL;
ALTER TABLE ratings ADD COLUMN reasons JSON NULL;
ALTER TABLE ratings ADD COLUMN text TEXT NULL;
ALTER TABLE ratings ADD COLUMN case_id VARCHAR(64) NULL;

-- One row per 差评 follow-up case (CONTRACT §5 cases), as it is now.
CREATE TABLE IF NOT EXISTS cases (
	hall           VARCHAR(64) NOT NULL,
	case_id        VARCHAR(64) NOT NULL,
	rating_id      VARCHAR(64) NULL,
	ticket_id      VARCHAR(64) NULL,
	day            DATE        NOT NULL, -- the business day it opened
	number         VARCHAR(16) NULL,
	service        VARCHAR(64) NULL,
	counter        VARCHAR(32) NULL,
	staff_id       VARCHAR(64) NULL,
	level          TINYINT     NOT NULL DEFAULT 0,
	status         VARCHAR(16) NOT NULL,
	created_at     DATETIME(6) NULL,
	verify_by      DATETIME(6) NULL,
	rectify_by     DATETIME(6) NULL,
	verified_at    DATETIME(6) NULL,
	rectified_at   DATETIME(6) NULL,
	callback_at    DATETIME(6) NULL,
	followup_level TINYINT     NULL,
	steps          INT         NOT NULL DEFAULT 0,
	updated_seq    BIGINT      NOT NULL,
	PRIMARY KEY (hall, case_id),
	KEY cases_day (hall, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Attendance: each staff sign-in at a counter, with the one handed over from.
CREATE TABLE IF NOT EXISTS staff_signins (
	hall       VARCHAR(64) NOT NULL,
	seq        BIGINT      NOT NULL,
	counter    VARCHAR(32) NOT NULL,
	staff_id   VARCHAR(64) NOT NULL,
	from_staff VARCHAR(64) NULL,
	at         DATETIME(6) NOT NULL,
	PRIMARY KEY (hall, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
