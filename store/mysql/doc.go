// Package mysql copies a hall's local journal to MySQL (or MariaDB, or a
// MySQL-compatible distributed database such as TiDB) for city-wide
// reporting, and restores a journal from that copy.
//
// The local journal (store.Journal) stays the hall's source of truth; MySQL
// is a replica that may lag and may be down. A Replicator's Sync copies the
// events after MySQL's cursor in batches, each in one MySQL transaction that
// also upserts the report projections (tickets, calls, ratings, counter
// sessions) and the idempotency records and moves the cursor, so a batch is
// in MySQL entirely or not at all and copying it twice changes nothing.
// Every table is keyed by hall, so many halls share one database.
//
// The schema is created and upgraded by embedded, numbered, additive SQL
// migrations recorded in schema_migrations. See docs/mysql.md.
package mysql
