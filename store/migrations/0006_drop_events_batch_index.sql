-- The last batch is found from the end of the events by seq (a batch is a run
-- of consecutive seqs), so the index on batch only cost a page write per commit.
DROP INDEX IF EXISTS events_batch;
