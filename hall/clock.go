package hall

import "time"

// Now is the hall's clock (hall-local time): what its rules are decided at.
func (h *Hall) Now() time.Time { return h.clock() }
