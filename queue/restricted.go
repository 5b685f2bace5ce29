package queue

// Restricted reports whether the public stream must not show e in detail
// (CONTRACT §3): alerts, 差评 cases and complaints, and bookings, whose codes
// a citizen checks in with. Public sends these as {"kind":"restricted"}.
func (e Event) Restricted() bool {
	switch e.Kind {
	case EvAlertRaised, EvAlertUpdated, EvAlertCleared,
		EvCaseOpened, EvCaseStep, EvComplaintLogged, EvComplaintStep,
		EvAppointmentBooked, EvAppointmentCancelled, EvAppointmentMissed:
		return true
	}
	return false
}
