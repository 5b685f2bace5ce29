package hall

import "time"

// checkpointEvery is how often the writer checkpoints the journal's WAL.
const checkpointEvery = time.Minute

// maintain runs on the writer's tick. After failed appends (a full disk, a
// read-only file system) it probes the journal with a small write, so that
// the hall is healthy again, and /readyz 200, as soon as the disk takes
// writes, without waiting for a request; and it checkpoints the WAL so that
// it stays within store.WALSizeLimit (docs/robustness.md).
func (h *Hall) maintain() {
	if !h.ok.Load() && !h.broken {
		if err := h.journal.Probe(); err != nil {
			h.log.Debug().Err(err).Msg("journal still not writable")
		} else {
			h.ok.Store(true)
			h.log.Info().Msg("journal writable again 日志恢复可写")
		}
	}
	if now := time.Now(); h.ok.Load() && now.Sub(h.checkpointed) >= checkpointEvery {
		h.checkpointed = now
		if err := h.journal.Checkpoint(); err != nil {
			h.log.Warn().Err(err).Int64("wal_bytes", h.journal.WALBytes()).Msg("journal checkpoint")
		}
	}
}
