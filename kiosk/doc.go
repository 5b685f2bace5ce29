// Package kiosk lays out queue tickets and renders them for the kiosk's
// thermal printer (ESC/POS, 80 mm paper, GB18030 Chinese), for screens
// (QR code PNG) and as a plain-text preview for docs and logs.
//
// Layout turns a Ticket into a PrintLayout (plain data that can travel in a
// JSON result under "print"); RenderESCPOS and RenderText render a layout.
// Decorator adds that data to ticket.take results for every transport.
package kiosk
