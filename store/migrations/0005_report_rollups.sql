-- Day rollups of the visits report (docs/reports.md "Rollups"): a cache of the
-- report rows, never a second record. report_days.version counts the writes
-- of each day's ticket rows (report/rowsql.Write bumps it in the same
-- transaction), and a rollup is used only while its version is the day's.
CREATE TABLE report_days (
	hall    TEXT    NOT NULL,
	day     TEXT    NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (hall, day)
) WITHOUT ROWID;

INSERT INTO report_days (hall, day, version) SELECT hall, day, 1 FROM tickets GROUP BY hall, day;

CREATE TABLE report_rollups (
	hall      TEXT    NOT NULL,
	rollup_by TEXT    NOT NULL, -- the grouping: service, counter, staff, day, hour
	day       TEXT    NOT NULL,
	version   INTEGER NOT NULL,
	data      BLOB    NOT NULL, -- report.encodeDay
	PRIMARY KEY (hall, rollup_by, day)
) WITHOUT ROWID;
