package queue

// KindRestricted is what the public stream shows in place of an event it may
// not show in detail (CONTRACT §3).
const KindRestricted Kind = "restricted"

// Restricted reports whether the public stream must not show e in detail:
// alerts, 差评 cases and complaints (CONTRACT §3). Other branches add their
// kinds to this one switch.
func (e Event) Restricted() bool {
	switch e.Kind {
	case EvCaseOpened, EvCaseStep, EvComplaintLogged, EvComplaintStep:
		return true
	case "alert.raised", "alert.updated", "alert.cleared":
		return true
	}
	return false
}
