package devices

import (
	"encoding/json"
	"strconv"

	"github.com/hallq/hallq/queue"
)

// alertMessage is retained on alerts/{alert} while the alert stands: the
// whole alert (CONTRACT §3 fields) and the hall seq of its last change.
type alertMessage struct {
	queue.Alert
	Seq int64 `json:"seq"`
}

// alertEvent publishes one alert change: the alert retained on raise and
// update, an empty retained payload on clear (docs/supervision.md).
func (p *publisher) alertEvent(e *queue.Event) {
	if e.Alert == nil {
		return
	}
	if e.Kind == queue.EvAlertCleared {
		p.clearAlert(e.Alert.ID)
		return
	}
	p.publishAlert(*e.Alert, e.Seq)
}

func (p *publisher) publishAlert(a queue.Alert, seq int64) {
	body, _ := json.Marshal(alertMessage{Alert: a, Seq: seq})
	if err := p.send(p.topics.Alert(a.ID), body, true); err != nil {
		p.log.Debug().Err(err).Str("alert", a.ID).Msg("alert not published; published again on reconnect")
		return
	}
	p.alerts[a.ID] = true
}

func (p *publisher) clearAlert(id string) {
	if err := p.send(p.topics.Alert(id), nil, true); err != nil {
		p.log.Debug().Err(err).Str("alert", id).Msg("alert clear not published; cleared again on reconnect")
		p.alerts[id] = true // still to clear on the next full publish
		return
	}
	delete(p.alerts, id)
}

// sweepAlerts is how many of the latest alert ids a full publish clears
// when they no longer stand.
const sweepAlerts = 64

// allAlerts publishes every standing alert of v again and clears the ones
// published before that no longer stand, as after (re)connecting. It also
// clears the latest ids that no longer stand: one cleared just before a
// crash (journalled, not yet published) may still be retained on an
// external broker that keeps retained messages across restarts.
func (p *publisher) allAlerts(v *queue.View) {
	standing := make(map[string]bool, len(v.Alerts))
	for _, a := range v.Alerts {
		standing[a.ID] = true
		p.publishAlert(a, v.Seq)
	}
	for n := max(v.AlertN-sweepAlerts, 0) + 1; n <= v.AlertN; n++ {
		if id := "al-" + strconv.FormatInt(n, 10); !standing[id] {
			p.alerts[id] = true
		}
	}
	for id := range p.alerts {
		if !standing[id] {
			p.clearAlert(id)
		}
	}
}
