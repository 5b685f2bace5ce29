-- Day rollups of the visits report (docs/reports.md "Rollups"), as in the
-- local store (store/migrations/0005_report_rollups.sql): a cache of the
-- report rows, valid only while its version is the day's.
CREATE TABLE IF NOT EXISTS report_days (
	hall    VARCHAR(64) NOT NULL,
	day     DATE        NOT NULL,
	version BIGINT      NOT NULL,
	PRIMARY KEY (hall, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO report_days (hall, day, version) SELECT hall, day, 1 FROM tickets GROUP BY hall, day;

CREATE TABLE IF NOT EXISTS report_rollups (
	hall      VARCHAR(64) NOT NULL,
	rollup_by VARCHAR(16) NOT NULL,
	day       DATE        NOT NULL,
	version   BIGINT      NOT NULL,
	data      MEDIUMBLOB  NOT NULL,
	PRIMARY KEY (hall, rollup_by, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
