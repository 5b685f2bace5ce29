package queue

import "time"

// View is the read-only picture of a hall that screens and the snapshot API
// show (CONTRACT §3 state). It shares nothing with the State it came from.
type View struct {
	Seq         int64         `json:"-"`
	Hall        HallView      `json:"hall"`
	Day         string        `json:"day"`
	Services    []ServiceView `json:"services"`
	Counters    []CounterView `json:"counters"`
	RecentCalls []RecentCall  `json:"recent_calls"`
	Devices     []DeviceView  `json:"devices"`
	// FirmwareOffers is each device's retained firmware (CONTRACT §6); shared
	// with the state, which replaces the map rather than change it.
	FirmwareOffers map[string]*FirmwareOffer `json:"-"`
	// Alerts are the standing alerts; only the supervisor view shows them
	// (CONTRACT §3), never the public snapshot.
	Alerts []Alert `json:"-"`
	// CounterSince is when each counter's shown status began, and Today the
	// day's figures so far; the supervisor view shows them.
	CounterSince map[string]time.Time `json:"-"`
	Today        DayStats             `json:"-"`
	AlertN       int64                `json:"-"` // the number of the last alert raised (al-N)
}

// HallView names the hall.
type HallView struct {
	ID     string `json:"id"`
	Name   Name   `json:"name"`
	Notice Name   `json:"notice"`
}

// ServiceView is one service on the screens.
type ServiceView struct {
	ID       string `json:"id"`
	Name     Name   `json:"name"`
	Prefix   string `json:"prefix"`
	Waiting  int    `json:"waiting"`
	EstWaitS int    `json:"est_wait_s"`
	Issued   int    `json:"issued"`
	Quota    int    `json:"daily_quota"`
}

// CounterView is one counter on the screens.
type CounterView struct {
	ID          string   `json:"id"`
	Name        Name     `json:"name"`
	Status      string   `json:"status"`
	Ticket      *string  `json:"ticket"`
	Service     *string  `json:"service"`
	StaffID     *string  `json:"staff_id"`
	Held        *string  `json:"held"`
	PauseReason string   `json:"pause_reason,omitempty"`
	Services    []string `json:"services"`
	// Staff is the card of who serves there (CONTRACT §2 staff card); null when nobody is signed in.
	Staff *StaffCard `json:"staff"`
}

// StaffCard is who serves at a counter, as the counter screen, the rater
// page and the keypad show them (CONTRACT §2 rate.prompt staff, 1.1);
// fields unknown to the config are null.
type StaffCard struct {
	ID      *string `json:"id"`
	Name    *string `json:"name"`
	StaffNo *string `json:"staff_no"`
	Unit    *string `json:"unit"`
}

// StaffCardOf is the card of staff member id from sp, with null fields for
// what is unknown (all of them for no id).
func StaffCardOf(sp *Spec, id string) StaffCard {
	card := StaffCard{ID: strp(id)}
	if st := sp.Staff[id]; st != nil && id != "" {
		card.Name, card.StaffNo, card.Unit = strp(st.Name), strp(st.StaffNo), strp(st.Unit)
	}
	return card
}

// NewStaffCard is StaffCardOf for the snapshot's counters: nil when nobody
// is signed in.
func NewStaffCard(sp *Spec, id string) *StaffCard {
	if id == "" {
		return nil
	}
	card := StaffCardOf(sp, id)
	return &card
}

// DeviceView is one configured device and its presence.
type DeviceView struct {
	ID      string     `json:"id"`
	Kind    string     `json:"kind"`
	Counter string     `json:"counter,omitempty"`
	Online  bool       `json:"online"`
	Since   *time.Time `json:"since,omitempty"` // when it last went online or offline
	FW      string     `json:"fw,omitempty"`
	// ConfigVersion is the config version the device last reported.
	ConfigVersion int `json:"config_version,omitempty"`
}

// NewView builds the view of s from scratch; UpdateView keeps one up to
// date for the cost of what changed.
func NewView(s *State) *View {
	sp := s.Spec
	v := &View{Seq: s.Seq, Day: s.Day, Hall: HallView{ID: sp.HallID, Name: sp.HallName, Notice: s.Notice}}
	v.Services = make([]ServiceView, 0, len(sp.ServiceOrder))
	for _, id := range sp.ServiceOrder {
		v.Services = append(v.Services, serviceView(s, id))
	}
	v.Counters = make([]CounterView, 0, len(sp.CounterOrder))
	for _, id := range sp.CounterOrder {
		v.Counters = append(v.Counters, counterView(s, id))
	}
	v.RecentCalls = recentCalls(s)
	v.Devices = make([]DeviceView, 0, len(sp.DeviceOrder))
	for _, id := range sp.DeviceOrder {
		v.Devices = append(v.Devices, deviceView(s, id))
	}
	if s.Firmware != nil {
		v.FirmwareOffers = s.Firmware.Offers
	}
	return v
}

// serviceView is service id as the screens show it.
func serviceView(s *State, id string) ServiceView {
	svc := s.Spec.Services[id]
	w := s.WaitingCount(id)
	return ServiceView{ID: id, Name: svc.Name, Prefix: svc.Prefix, Waiting: w,
		EstWaitS: EstimateWait(s, id, w), Issued: s.NextN[id], Quota: svc.DailyQuota}
}

// counterView is counter id as the screens show it.
func counterView(s *State, id string) CounterView {
	sp := s.Spec
	c := s.Counters[id]
	cv := CounterView{ID: id, Name: sp.Counters[id].Name, Status: s.CounterStatus(id), StaffID: strp(c.StaffID),
		PauseReason: c.PauseReason, Services: sp.Counters[id].Services, Staff: NewStaffCard(sp, c.StaffID)}
	if t := current(s, c); t != nil {
		cv.Ticket, cv.Service = strp(t.Number), strp(t.Service)
	}
	if h := s.Tickets[c.Held]; h != nil {
		cv.Held = strp(h.Number)
	}
	return cv
}

// recentCalls copies the calls the hall screens list.
func recentCalls(s *State) []RecentCall {
	return append(make([]RecentCall, 0, len(s.RecentCalls)), s.RecentCalls...)
}

// deviceView is configured device id with its presence.
func deviceView(s *State, id string) DeviceView {
	d := s.Spec.Devices[id]
	dv := DeviceView{ID: id, Kind: d.Kind, Counter: d.Counter}
	if p := s.Devices[id]; p != nil {
		since := p.Since
		dv.Online, dv.Since, dv.FW, dv.ConfigVersion = p.Online, &since, p.FW, p.ConfigVersion
	}
	return dv
}
