// Package display serves the hall's screens: the websocket hub at
// GET /ws/v1/halls/{hall} (CONTRACT §3) and the pages of the web UI (hall and
// counter screens, kiosk, staff console, ticket page, supervisor view).
//
// The hub sends each screen one snapshot and then every durable event, each
// numbered with the hall's seq. It encodes every event once and fans it out
// with non-blocking sends into each screen's bounded queue; a screen whose
// queue is full is disconnected rather than allowed to slow the hall or the
// other screens, and it resumes with ?since=. docs/websocket.md describes the
// messages, the resume rules and the drop policy.
package display
