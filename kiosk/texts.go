package kiosk

// Every word a ticket prints lives here, Chinese first, English after " / ".
// A line whose two halves do not fit the paper is printed as two lines.
const (
	textAheadNone = "您前面没有人等候 / No one waiting ahead"
	textAhead     = "您前面还有 %d 人等候 / %d waiting ahead" // count, count
	textEstWait   = "预计等候约 %d 分钟 / about %d min"      // minutes, minutes
	textIssuedAt  = "取号时间 / Issued: %s"               // formatted with issuedAtFormat
	textScanQR    = "扫码查看排队进度 / Scan to follow the queue"

	textMarkGreen       = "绿色通道 / Green channel"
	textMarkAppointment = "预约取号 / Appointment"

	issuedAtFormat = "2006-01-02 15:04"

	// The closing notice, one printed line each.
	textFooterZh  = "请留意叫号，过号请到服务台"
	textFooterEn1 = "Please listen for your number"
	textFooterEn2 = "If missed, please go to the service desk"
)

// Channel values of Ticket.Channel.
const (
	channelWalkIn      = "walk_in"
	channelGreen       = "green"
	channelAppointment = "appointment"
)
