package rowsql

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// NullTime scans a time column of either dialect: MySQL's DATETIME/DATE
// (time.Time with parseTime, text without) or SQLite's text.
type NullTime struct{ T time.Time }

// Scan implements sql.Scanner.
func (n *NullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		n.T = time.Time{}
	case time.Time:
		n.T = v.UTC()
	case []byte:
		return n.parse(string(v))
	case string:
		return n.parse(v)
	default:
		return fmt.Errorf("rowsql: cannot scan %T into a time", src)
	}
	return nil
}

func (n *NullTime) parse(s string) error {
	for _, layout := range []string{TimeLayout, "2006-01-02 15:04:05.999999", "2006-01-02 15:04:05", "2006-01-02",
		time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			n.T = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("rowsql: bad time %q", s)
}

// Day is the time as a date, "" for NULL.
func (n NullTime) Day() string {
	if n.T.IsZero() {
		return ""
	}
	return n.T.Format("2006-01-02")
}

// Value implements driver.Valuer (for tests that copy rows).
func (n NullTime) Value() (driver.Value, error) {
	if n.T.IsZero() {
		return nil, nil
	}
	return n.T, nil
}
