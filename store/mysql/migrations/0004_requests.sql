-- Idempotency records (CONTRACT §2 idempotency): the response a device or
-- principal got for a req_id, so that a restored hall answers a retry the
-- same way. A req_id reused after 24 hours keeps the newest answer.
CREATE TABLE IF NOT EXISTS requests (
	hall     VARCHAR(64)  NOT NULL,
	source   VARCHAR(128) NOT NULL,
	req_id   VARCHAR(128) NOT NULL,
	at       DATETIME     NOT NULL,
	seq      BIGINT       NOT NULL, -- the hall seq after the request
	response JSON         NOT NULL,
	PRIMARY KEY (hall, source, req_id),
	KEY requests_at (hall, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
