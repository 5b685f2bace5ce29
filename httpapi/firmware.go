package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"time"

	firmwareconfig "github.com/hallq/hallq/firmware-config"
	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/staff"
)

// FirmwareConfig wires the firmware routes (CONTRACT §6); nil Images = none.
type FirmwareConfig struct {
	Images *firmwareconfig.Images
	// DeviceTimeout is firmware.device_timeout_s: a device offered a version
	// that has not reported it by then fails; 0 = never.
	DeviceTimeout time.Duration
	// DesiredConfigVersion is the desired config version, for drift.
	DesiredConfigVersion int
}

// firmwareRoutes adds the firmware and fleet routes below hallPath.
func (s *Server) firmwareRoutes(mux *http.ServeMux, hallPath string) {
	if s.cfg.Firmware.Images == nil {
		return
	}
	fw := hallPath + "/firmware"
	mux.HandleFunc("PUT "+fw+"/images/{kind}/{version}", s.inHall(s.putImage))
	mux.HandleFunc("GET "+fw+"/images/{kind}/{version}", s.inHall(s.getImage))
	mux.HandleFunc("GET "+fw+"/images", s.inHall(s.listImages))
	mux.HandleFunc("POST "+fw+"/rollouts", s.inHall(s.startRollout))
	mux.HandleFunc("GET "+fw+"/rollouts", s.inHall(s.listRollouts))
	mux.HandleFunc("GET "+fw+"/rollouts/{id}", s.inHall(s.getRollout))
	mux.HandleFunc("POST "+fw+"/rollouts/{id}/halt", s.inHall(s.rolloutAction(false)))
	mux.HandleFunc("POST "+fw+"/rollouts/{id}/rollback", s.inHall(s.rolloutAction(true)))
	mux.HandleFunc("GET "+fw+"/devices", s.inHall(s.fleet))
}

// query runs fn against the hall's state on its writer.
func (s *Server) query(r *http.Request, fn func(st *queue.State)) *queue.Error {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if err := s.h.Query(ctx, fn); err != nil {
		return queue.Errorf(queue.Unavailable, "暂时无法读取 cannot read the hall now: %v", err)
	}
	return nil
}

// putImage stores an image: PUT …/firmware/images/{kind}/{version}, the body
// is the image (CONTRACT §6). The bytes are stored under their sha256 first,
// then the journal records the image; only then is it answered.
func (s *Server) putImage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleAdmin)
	if !ok {
		return
	}
	kind, version := r.PathValue("kind"), r.PathValue("version")
	if qe := queue.CheckVersion(version); qe != nil {
		writeErr(w, qe)
		return
	}
	if r.ContentLength > s.cfg.Firmware.Images.Max() {
		writeErr(w, queue.Errorf(queue.BadRequest, "镜像过大 image larger than firmware.max_image_bytes (%d)", s.cfg.Firmware.Images.Max()))
		return
	}
	sum, size, err := s.cfg.Firmware.Images.Put(r.Body)
	switch {
	case errors.Is(err, firmwareconfig.ErrTooLarge):
		writeErr(w, queue.Errorf(queue.BadRequest, "镜像过大 image larger than firmware.max_image_bytes (%d)", s.cfg.Firmware.Images.Max()))
		return
	case err != nil:
		s.cfg.Log.Error().Err(err).Msg("store firmware image")
		writeErr(w, queue.Errorf(queue.Unavailable, "镜像保存失败 cannot store the image: %v", err))
		return
	case size == 0:
		writeErr(w, queue.Errorf(queue.BadRequest, "镜像为空 the image is empty"))
		return
	}
	s.do(w, r, p, queue.StoreFirmwareImage{Kind: kind, Version: version, SHA256: sum, Size: size})
}

// getImage serves an image to a device that is offered it, with range
// requests so a download can resume (CONTRACT §6). Devices authenticate
// with Authorization: Bearer {device}:{secret}; admins with their session.
func (s *Server) getImage(w http.ResponseWriter, r *http.Request) {
	p, qe := s.authenticate(r)
	if qe != nil {
		writeErr(w, qe)
		return
	}
	kind, version := r.PathValue("kind"), r.PathValue("version")
	var im queue.FirmwareImage
	var found, offered bool
	if qe := s.query(r, func(st *queue.State) {
		if i := st.Firmware.Images[queue.ImageKey(kind, version)]; i != nil {
			im, found = *i, true
		}
		if o := st.Firmware.Offers[p.id]; o != nil && p.deviceKind != "" {
			offered = o.Kind == kind && o.Version == version
		}
	}); qe != nil {
		writeErr(w, qe)
		return
	}
	switch {
	case p.deviceKind == "" && staff.RoleRank(p.role) < staff.RoleRank(staff.RoleAdmin):
		writeErr(w, queue.Errorf(queue.Forbidden, "权限不足 needs role admin or a device offered this image"))
		return
	case p.deviceKind != "" && p.deviceKind != kind:
		writeErr(w, queue.Errorf(queue.Forbidden, "设备类型不符 a %s may not download %s firmware", p.deviceKind, kind))
		return
	case p.deviceKind != "" && !offered:
		writeErr(w, queue.Errorf(queue.Forbidden, "未向该设备下发此版本 %s is not offered %s %s", p.id, kind, version))
		return
	case !found:
		writeErr(w, queue.Errorf(queue.BadRequest, "没有此镜像 no image %s %s", kind, version))
		return
	}
	f, err := s.cfg.Firmware.Images.Open(im.SHA256)
	if err != nil {
		s.cfg.Log.Error().Err(err).Str("kind", kind).Str("version", version).Msg("firmware image file missing")
		writeErr(w, queue.Errorf(queue.Unavailable, "镜像文件缺失 the image file is missing: %v", err))
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("ETag", `"`+im.SHA256+`"`)
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", im.At, f)
}

func (s *Server) listImages(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, staff.RoleAdmin); !ok {
		return
	}
	images := []queue.FirmwareImage{}
	if qe := s.query(r, func(st *queue.State) {
		for _, im := range st.Firmware.Images {
			images = append(images, *im)
		}
	}); qe != nil {
		writeErr(w, qe)
		return
	}
	sort.Slice(images, func(i, j int) bool {
		if images[i].Kind != images[j].Kind {
			return images[i].Kind < images[j].Kind
		}
		return images[i].At.Before(images[j].At)
	})
	writeOK(w, map[string]any{"images": images})
}

// rolloutReq is POST …/firmware/rollouts; absent numbers take the contract
// example's values.
type rolloutReq struct {
	Kind          string   `json:"kind"`
	Version       string   `json:"version"`
	CanaryPercent *float64 `json:"canary_percent"`
	SoakS         *int     `json:"soak_s"`
	MaxFailures   *int     `json:"max_failures"`
}

// Defaults of a rollout request (the CONTRACT §6 example).
const (
	defaultCanaryPercent = 10
	defaultSoakS         = 600
	defaultMaxFailures   = 1
)

func (s *Server) startRollout(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireRole(w, r, staff.RoleAdmin)
	if !ok {
		return
	}
	var req rolloutReq
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	cmd := queue.StartRollout{Kind: req.Kind, Version: req.Version, CanaryPercent: defaultCanaryPercent, SoakS: defaultSoakS,
		MaxFailures: defaultMaxFailures, DeviceTimeoutS: int(s.cfg.Firmware.DeviceTimeout / time.Second), By: p.id}
	if req.CanaryPercent != nil {
		cmd.CanaryPercent = *req.CanaryPercent
	}
	if req.SoakS != nil {
		cmd.SoakS = *req.SoakS
	}
	if req.MaxFailures != nil {
		cmd.MaxFailures = *req.MaxFailures
	}
	s.do(w, r, p, cmd)
}

func (s *Server) getRollout(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, staff.RoleAdmin); !ok {
		return
	}
	var v *queue.RolloutView
	if qe := s.query(r, func(st *queue.State) {
		if ro := st.Firmware.RolloutByID(r.PathValue("id")); ro != nil {
			rv := queue.ViewRollout(st, ro)
			v = &rv
		}
	}); qe != nil {
		writeErr(w, qe)
		return
	}
	if v == nil {
		writeErr(w, queue.Errorf(queue.BadRequest, "没有此升级 unknown rollout %q", r.PathValue("id")))
		return
	}
	writeOK(w, v)
}

// rolloutSummary is one rollout in the list the fleet page shows.
type rolloutSummary struct {
	queue.RolloutView
	Params   queue.RolloutParams `json:"params"`
	Reason   string              `json:"reason,omitempty"`
	Started  time.Time           `json:"started"`
	Changed  time.Time           `json:"changed"`
	Offered  int                 `json:"offered"`
	Updated  int                 `json:"updated"`
	Failures int                 `json:"failures"`
}

func (s *Server) listRollouts(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, staff.RoleAdmin); !ok {
		return
	}
	out := []rolloutSummary{}
	if qe := s.query(r, func(st *queue.State) {
		for i := len(st.Firmware.Rollouts) - 1; i >= 0; i-- { // newest first
			ro := st.Firmware.Rollouts[i]
			sum := rolloutSummary{RolloutView: queue.ViewRollout(st, ro), Params: ro.Params, Reason: ro.Reason,
				Started: ro.Started, Changed: ro.Changed, Failures: ro.Failures}
			for _, d := range ro.Devices {
				if d.Touched {
					sum.Offered++
				}
				if d.Updated {
					sum.Updated++
				}
			}
			out = append(out, sum)
		}
	}); qe != nil {
		writeErr(w, qe)
		return
	}
	writeOK(w, map[string]any{"rollouts": out})
}

// rolloutAction is POST …/rollouts/{id}/halt, or …/rollback with rollback.
func (s *Server) rolloutAction(rollback bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.requireRole(w, r, staff.RoleAdmin)
		if !ok {
			return
		}
		var cmd queue.Command = queue.HaltRollout{ID: r.PathValue("id"), By: p.id}
		if rollback {
			cmd = queue.RollbackRollout{ID: r.PathValue("id"), By: p.id}
		}
		s.do(w, r, p, cmd)
	}
}

// fleetDevice is one device on the fleet page.
type fleetDevice struct {
	ID            string     `json:"id"`
	Kind          string     `json:"kind"`
	Counter       *string    `json:"counter"`
	Online        bool       `json:"online"`
	Since         *time.Time `json:"since"`
	LastSeen      *time.Time `json:"last_seen"`
	FW            *string    `json:"fw"`
	FWState       *string    `json:"fw_state"`
	FWError       *string    `json:"fw_error"`
	Offered       *string    `json:"offered"` // the version retained on dev/{id}/firmware
	ConfigVersion int        `json:"config_version"`
	DesiredConfig int        `json:"desired_config_version"`
	Drift         bool       `json:"drift"`
}

func strOrNil(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// fleet lists every configured device for the fleet page.
func (s *Server) fleet(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, staff.RoleAdmin); !ok {
		return
	}
	want := max(s.cfg.Firmware.DesiredConfigVersion, 1)
	out := []fleetDevice{}
	if qe := s.query(r, func(st *queue.State) {
		for _, id := range st.Spec.DeviceOrder {
			d := st.Spec.Devices[id]
			fd := fleetDevice{ID: id, Kind: d.Kind, Counter: strOrNil(d.Counter), DesiredConfig: want}
			if pr := st.Devices[id]; pr != nil {
				since, seen := pr.Since, pr.LastSeen
				fd.Online, fd.Since, fd.FW, fd.FWState, fd.FWError, fd.ConfigVersion = pr.Online, &since, strOrNil(pr.FW),
					strOrNil(pr.FWState), strOrNil(pr.FWError), pr.ConfigVersion
				if !seen.IsZero() {
					fd.LastSeen = &seen
				}
			}
			if o := st.Firmware.Offers[id]; o != nil {
				fd.Offered = &o.Version
			}
			fd.Drift = fd.Online && fd.ConfigVersion != want // like firmwareconfig.Drifts: offline devices are not counted
			out = append(out, fd)
		}
	}); qe != nil {
		writeErr(w, qe)
		return
	}
	body, _ := json.Marshal(map[string]any{"devices": out, "desired_config_version": want})
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: body})
}
