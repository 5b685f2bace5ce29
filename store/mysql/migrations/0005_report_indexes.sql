-- Indexes for the common reports (docs/mysql.md): per day and service, per
-- day and counter or staff member.
ALTER TABLE tickets ADD INDEX tickets_day_service (hall, day, service);
ALTER TABLE calls ADD INDEX calls_day_counter (hall, day, counter);
ALTER TABLE calls ADD INDEX calls_day_staff (hall, day, staff_id);
ALTER TABLE ratings ADD INDEX ratings_day_counter (hall, day, counter);
ALTER TABLE counter_sessions ADD INDEX counter_sessions_opened (hall, opened_at);
