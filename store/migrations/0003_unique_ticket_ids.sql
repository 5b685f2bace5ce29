-- A ticket id is issued once, ever (docs/robustness.md): the journal refuses
-- a second ticket.issued event for the same ticket_id, so that no clock step
-- or bug can issue a number twice.
CREATE UNIQUE INDEX IF NOT EXISTS events_ticket_issued_once
	ON events (json_extract(data, '$.ticket_id')) WHERE kind = 'ticket.issued';
