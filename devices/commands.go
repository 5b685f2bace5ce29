package devices

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
)

// pendingCmd is a command sent to a device and not yet acknowledged.
type pendingCmd struct {
	id   string
	body []byte
}

// prompt is the open rating prompt of one counter.
type prompt struct {
	ticketID string
	raters   []string
	timer    *time.Timer
}

// commands keeps each device's unacknowledged commands, sends them again
// when the device comes back, and runs the rating prompts (CONTRACT §2
// tickets and calling: rate.prompt after a ticket is finished).
type commands struct {
	mu      sync.Mutex
	pending map[string][]pendingCmd // by device
	prompts map[string]*prompt      // by counter
	raters  map[string][]string     // counter -> its rater devices
	spec    *queue.Spec             // for the keypad's staff card
	window  time.Duration
	clock   func() time.Time
	send    func(device string, body []byte) error
	log     zerolog.Logger
	closed  bool
}

func newCommands(sp *queue.Spec, clock func() time.Time, send func(string, []byte) error, log zerolog.Logger) *commands {
	c := &commands{pending: map[string][]pendingCmd{}, prompts: map[string]*prompt{}, raters: map[string][]string{},
		spec: sp, window: sp.RatingWindow, clock: clock, send: send, log: log}
	for _, id := range sp.DeviceOrder {
		if d := sp.Devices[id]; d.Kind == "rater" && d.Counter != "" {
			c.raters[d.Counter] = append(c.raters[d.Counter], id)
		}
	}
	return c
}

// ratePrompt is the rate.prompt command (CONTRACT §2).
type ratePrompt struct {
	CmdID     string          `json:"cmd_id"`
	Op        string          `json:"op"`
	TicketID  string          `json:"ticket_id"`
	Ticket    string          `json:"ticket"`
	Counter   string          `json:"counter"`
	StaffID   *string         `json:"staff_id"`
	ExpiresAt string          `json:"expires_at"`
	Staff     queue.StaffCard `json:"staff"` // CONTRACT §2 (1.1): the keypad's staff card
}

// rateCancel withdraws a rate.prompt.
type rateCancel struct {
	CmdID    string `json:"cmd_id"`
	Op       string `json:"op"`
	TicketID string `json:"ticket_id"`
}

// Command ids are derived from the ticket, so a device sees the same id if
// hallqd sends a command again, also after a restart.
func promptID(ticketID string) string { return "rate.prompt:" + ticketID }
func cancelID(ticketID string) string { return "rate.cancel:" + ticketID }

// finished opens a rating prompt for a ticket finished at (or transferred
// from) counter at time at, superseding the counter's previous prompt.
func (c *commands) finished(ticketID, ticket, counter, staffID string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	raters := c.raters[counter]
	if c.closed || len(raters) == 0 {
		return
	}
	if old := c.prompts[counter]; old != nil {
		if old.ticketID == ticketID {
			return
		}
		c.withdraw(counter, old, true)
	}
	expires := at.Add(c.window)
	cmd := ratePrompt{CmdID: promptID(ticketID), Op: "rate.prompt", TicketID: ticketID, Ticket: ticket,
		Counter: counter, ExpiresAt: expires.Format(time.RFC3339), Staff: queue.StaffCardOf(c.spec, staffID)}
	if staffID != "" {
		cmd.StaffID = &staffID
	}
	body, _ := json.Marshal(cmd)
	p := &prompt{ticketID: ticketID, raters: raters}
	p.timer = time.AfterFunc(expires.Sub(c.clock()), func() { c.expired(counter, ticketID) })
	c.prompts[counter] = p
	for _, d := range raters {
		c.queue(d, pendingCmd{id: cmd.CmdID, body: body})
	}
}

// expired cancels a prompt whose rating window closed unrated.
func (c *commands) expired(counter, ticketID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.prompts[counter]; p != nil && p.ticketID == ticketID && !c.closed {
		c.withdraw(counter, p, true)
	}
}

// rated closes the prompt of a rated ticket; the rater that rated it needs
// no rate.cancel.
func (c *commands) rated(counter, ticketID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.prompts[counter]; p != nil && p.ticketID == ticketID {
		c.withdraw(counter, p, false)
	}
}

// withdraw ends prompt p of counter: its timer stops, an unacknowledged
// prompt is no longer sent, and with cancel each rater gets rate.cancel.
func (c *commands) withdraw(counter string, p *prompt, cancel bool) {
	p.timer.Stop()
	delete(c.prompts, counter)
	body, _ := json.Marshal(rateCancel{CmdID: cancelID(p.ticketID), Op: "rate.cancel", TicketID: p.ticketID})
	for _, d := range p.raters {
		c.drop(d, promptID(p.ticketID))
		if cancel {
			c.queue(d, pendingCmd{id: cancelID(p.ticketID), body: body})
		}
	}
}

// queue keeps cmd until acknowledged and sends it.
func (c *commands) queue(device string, cmd pendingCmd) {
	q := c.pending[device]
	if len(q) >= maxPendingCmds {
		c.log.Warn().Str("device", device).Str("cmd_id", q[0].id).Msg("too many unacknowledged commands; dropping the oldest")
		q = q[1:]
	}
	c.pending[device] = append(q, cmd)
	c.sendLocked(device, cmd)
}

func (c *commands) sendLocked(device string, cmd pendingCmd) {
	if err := c.send(device, cmd.body); err != nil {
		c.log.Debug().Err(err).Str("device", device).Str("cmd_id", cmd.id).Msg("command not sent now; sent again when the device is back")
	}
}

// drop forgets a command.
func (c *commands) drop(device, id string) bool {
	q := c.pending[device]
	for i, p := range q {
		if p.id == id {
			c.pending[device] = append(q[:i:i], q[i+1:]...)
			return true
		}
	}
	return false
}

// ack applies dev/{id}/ack {"cmd_id":"…","ok":true}: the command is done.
func (c *commands) ack(device string, payload []byte) {
	var a struct {
		CmdID string `json:"cmd_id"`
		OK    *bool  `json:"ok"`
	}
	if len(payload) > maxStatus || json.Unmarshal(payload, &a) != nil || a.CmdID == "" {
		return
	}
	c.mu.Lock()
	found := c.drop(device, a.CmdID)
	c.mu.Unlock()
	if found && a.OK != nil && !*a.OK {
		c.log.Warn().Str("device", device).Str("cmd_id", clip(a.CmdID, 80)).Msg("device could not carry out a command")
	}
}

// resend sends a device's unacknowledged commands again, oldest first.
func (c *commands) resend(device string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cmd := range c.pending[device] {
		c.sendLocked(device, cmd)
	}
}

// pendingIDs lists a device's unacknowledged command ids.
func (c *commands) pendingIDs(device string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	for _, p := range c.pending[device] {
		ids = append(ids, p.id)
	}
	return ids
}

// close stops the prompt timers.
func (c *commands) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, p := range c.prompts {
		p.timer.Stop()
	}
}
