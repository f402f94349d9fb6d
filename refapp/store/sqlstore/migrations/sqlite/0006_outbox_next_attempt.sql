-- The outbox's next attempt takes the column name it has on PostgreSQL, so one query serves both; on
-- SQLite it still holds Unix nanoseconds (the dialect's sortable time), which order numerically.
ALTER TABLE mail_outbox RENAME COLUMN next_attempt_ns TO next_attempt_at;
