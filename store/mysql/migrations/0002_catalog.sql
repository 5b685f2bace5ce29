-- Each hall's configuration, upserted by its hallqd at start. Rows that left
-- the config stay (old reports name them) with in_config = 0. No secrets or
-- passwords are ever copied.
CREATE TABLE IF NOT EXISTS services (
	hall          VARCHAR(64)  NOT NULL,
	service       VARCHAR(64)  NOT NULL,
	prefix        VARCHAR(8)   NOT NULL DEFAULT '',
	name_zh       VARCHAR(255) NOT NULL DEFAULT '',
	name_en       VARCHAR(255) NOT NULL DEFAULT '',
	daily_quota   INT          NOT NULL DEFAULT 0,
	target_wait_s INT          NOT NULL DEFAULT 0,
	avg_service_s INT          NOT NULL DEFAULT 0,
	in_config     TINYINT      NOT NULL DEFAULT 1,
	updated_at    DATETIME(6)  NOT NULL,
	PRIMARY KEY (hall, service)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS counters (
	hall       VARCHAR(64)  NOT NULL,
	counter    VARCHAR(32)  NOT NULL,
	name_zh    VARCHAR(255) NOT NULL DEFAULT '',
	name_en    VARCHAR(255) NOT NULL DEFAULT '',
	services   JSON         NULL, -- ["social","housing"]
	in_config  TINYINT      NOT NULL DEFAULT 1,
	updated_at DATETIME(6)  NOT NULL,
	PRIMARY KEY (hall, counter)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS devices (
	hall       VARCHAR(64) NOT NULL,
	device     VARCHAR(64) NOT NULL,
	kind       VARCHAR(32) NOT NULL DEFAULT '',
	counter    VARCHAR(32) NULL,
	in_config  TINYINT     NOT NULL DEFAULT 1,
	updated_at DATETIME(6) NOT NULL,
	PRIMARY KEY (hall, device)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS staff (
	hall       VARCHAR(64)  NOT NULL,
	staff_id   VARCHAR(64)  NOT NULL,
	name       VARCHAR(255) NOT NULL DEFAULT '',
	role       VARCHAR(32)  NOT NULL DEFAULT '',
	in_config  TINYINT      NOT NULL DEFAULT 1,
	updated_at DATETIME(6)  NOT NULL,
	PRIMARY KEY (hall, staff_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
