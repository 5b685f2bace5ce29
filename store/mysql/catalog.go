package mysql

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hallq/hallq/queue"
)

// Catalog is what a hall's config says about it, upserted into MySQL when
// replication starts so that reports can name services, counters, devices
// and staff. It never carries secrets or passwords.
type Catalog struct {
	Name     queue.Name
	Timezone string
	Services []Service
	Counters []Counter
	Devices  []Device
	Staff    []Staff
}

// Service is one configured service.
type Service struct {
	ID         string
	Prefix     string
	Name       queue.Name
	DailyQuota int
	TargetWait time.Duration
	AvgService time.Duration
}

// Counter is one configured counter.
type Counter struct {
	ID       string
	Name     queue.Name
	Services []string
}

// Device is one configured device (no secret).
type Device struct {
	ID      string
	Kind    string
	Counter string
}

// Staff is one staff account (no password).
type Staff struct {
	ID   string
	Name string
	Role string
}

// CatalogOf describes the hall of sp; staff accounts are not in a spec and
// are added by the caller.
func CatalogOf(sp *queue.Spec) Catalog {
	c := Catalog{Name: sp.HallName}
	if sp.Location != nil {
		c.Timezone = sp.Location.String()
	}
	for _, id := range sp.ServiceOrder {
		s := sp.Services[id]
		c.Services = append(c.Services, Service{ID: s.ID, Prefix: s.Prefix, Name: s.Name, DailyQuota: s.DailyQuota,
			TargetWait: s.TargetWait, AvgService: s.AvgService})
	}
	for _, id := range sp.CounterOrder {
		k := sp.Counters[id]
		c.Counters = append(c.Counters, Counter{ID: k.ID, Name: k.Name, Services: k.Services})
	}
	for _, id := range sp.DeviceOrder {
		d := sp.Devices[id]
		c.Devices = append(c.Devices, Device{ID: d.ID, Kind: d.Kind, Counter: d.Counter})
	}
	return c
}

// upsertCatalog writes hall's catalog and marks rows the config no longer
// has as in_config = 0 (they are kept: old reports name them).
func upsertCatalog(ctx context.Context, x execer, hall string, c Catalog, now time.Time) error {
	tz := c.Timezone
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	if _, err := x.ExecContext(ctx, `INSERT INTO halls (hall, name_zh, name_en, timezone, first_seen, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE name_zh = VALUES(name_zh), name_en = VALUES(name_en),
		timezone = VALUES(timezone), updated_at = VALUES(updated_at)`,
		hall, clip(c.Name.Zh, 255), clip(c.Name.En, 255), tz, now, now); err != nil {
		return fmt.Errorf("write halls: %w", err)
	}

	svc := newRows("services", []string{"hall", "service", "prefix", "name_zh", "name_en", "daily_quota", "target_wait_s", "avg_service_s", "in_config", "updated_at"},
		updateAll("prefix", "name_zh", "name_en", "daily_quota", "target_wait_s", "avg_service_s", "in_config", "updated_at"))
	var svcIDs []any
	for _, s := range c.Services {
		svc.add(hall, s.ID, clip(s.Prefix, 8), clip(s.Name.Zh, 255), clip(s.Name.En, 255), s.DailyQuota,
			int(s.TargetWait.Seconds()), int(s.AvgService.Seconds()), 1, now)
		svcIDs = append(svcIDs, s.ID)
	}

	ctr := newRows("counters", []string{"hall", "counter", "name_zh", "name_en", "services", "in_config", "updated_at"},
		updateAll("name_zh", "name_en", "services", "in_config", "updated_at"))
	var ctrIDs []any
	for _, k := range c.Counters {
		svcs, _ := json.Marshal(k.Services)
		ctr.add(hall, k.ID, clip(k.Name.Zh, 255), clip(k.Name.En, 255), string(svcs), 1, now)
		ctrIDs = append(ctrIDs, k.ID)
	}

	dev := newRows("devices", []string{"hall", "device", "kind", "counter", "in_config", "updated_at"},
		updateAll("kind", "counter", "in_config", "updated_at"))
	var devIDs []any
	for _, d := range c.Devices {
		dev.add(hall, d.ID, clip(d.Kind, 32), nullString(d.Counter, 32), 1, now)
		devIDs = append(devIDs, d.ID)
	}

	stf := newRows("staff", []string{"hall", "staff_id", "name", "role", "in_config", "updated_at"},
		updateAll("name", "role", "in_config", "updated_at"))
	var stfIDs []any
	for _, s := range c.Staff {
		stf.add(hall, s.ID, clip(s.Name, 255), clip(s.Role, 32), 1, now)
		stfIDs = append(stfIDs, s.ID)
	}

	for _, t := range []struct {
		w   *rowsWriter
		key string
		ids []any
	}{{svc, "service", svcIDs}, {ctr, "counter", ctrIDs}, {dev, "device", devIDs}, {stf, "staff_id", stfIDs}} {
		if err := t.w.exec(ctx, x); err != nil {
			return err
		}
		q := "UPDATE " + t.w.table + " SET in_config = 0, updated_at = ? WHERE hall = ? AND in_config = 1"
		args := []any{now, hall}
		if len(t.ids) > 0 {
			q += " AND " + t.key + " NOT IN (" + placeholders(len(t.ids)) + ")"
			args = append(args, t.ids...)
		}
		if _, err := x.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("mark %s no longer configured: %w", t.w.table, err)
		}
	}
	return nil
}
