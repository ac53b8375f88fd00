package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// Time zones: times are stored in UTC; the vulnerability-handling pages show
// them in the viewer's zone, with its abbreviation so that a daylight-saving
// change is visible ("2026-10-25 01:30 CEST", "2026-10-25 02:30 CET"), and
// read times typed into forms (datetime-local) in that zone. The zone is a
// per-browser preference in a cookie; an unknown or missing zone is UTC.

const tzCookie = "cradle_tz"

// commonZones are the zones the preference offers; a valid zone set
// otherwise (an older list, a hand-made cookie) is offered too.
var commonZones = []string{
	"UTC",
	"Europe/Lisbon", "Europe/London", "Europe/Dublin",
	"Europe/Amsterdam", "Europe/Berlin", "Europe/Brussels", "Europe/Copenhagen", "Europe/Luxembourg", "Europe/Madrid",
	"Europe/Oslo", "Europe/Paris", "Europe/Prague", "Europe/Rome", "Europe/Stockholm", "Europe/Vienna", "Europe/Warsaw", "Europe/Zurich",
	"Europe/Athens", "Europe/Bucharest", "Europe/Helsinki", "Europe/Riga", "Europe/Sofia", "Europe/Tallinn", "Europe/Vilnius",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
	"Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney",
}

// loadZone returns the zone named by an IANA name; false when the name is
// not one, or when this system has no time zone database entry for it.
func loadZone(name string) (*time.Location, bool) {
	if name == "UTC" {
		return time.UTC, true
	}
	if name == "" || len(name) > 64 || name == "Local" || strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != "" {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// zoneOf is the viewer's zone from the preference cookie, UTC without one.
func zoneOf(r *http.Request) *time.Location {
	c, err := r.Cookie(tzCookie)
	if err != nil {
		return time.UTC
	}
	if loc, ok := loadZone(c.Value); ok {
		return loc
	}
	return time.UTC
}

func (b *base) zone() *time.Location {
	if b.Zone == nil {
		return time.UTC
	}
	return b.Zone
}

// ZoneName is the viewer's zone ("Europe/Berlin", "UTC").
func (b *base) ZoneName() string { return b.zone().String() }

// Zones lists the zones the preference offers, the viewer's one included.
func (b *base) Zones() []option {
	zs := commonZones
	if cur := b.ZoneName(); !slices.Contains(zs, cur) {
		zs = append([]string{cur}, zs...)
	}
	return optionsOf(zs, func(z string) string { return strings.ReplaceAll(z, "_", " ") }, b.ZoneName())
}

// timeInZoneLayout shows the zone's abbreviation (CEST, CET, UTC, or an
// offset such as +03 where the zone has none).
const timeInZoneLayout = "2006-01-02 15:04 MST"

// Time formats t in the viewer's zone; "—" for no time.
func (b *base) Time(t time.Time) string { return formatIn(t, b.zone()) }

// Day is t's date in the viewer's zone.
func (b *base) Day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(b.zone()).Format(cradle.DateLayout)
}

// UTCTitle is t in UTC, for a tooltip next to a local time.
func (b *base) UTCTitle(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func formatIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format(timeInZoneLayout)
}

// datetime-local inputs: minutes, no zone.
const localInputLayout = "2006-01-02T15:04"

// localValue is t as a datetime-local input value in loc; "" for no time.
func localValue(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(localInputLayout)
}

// parseLocal reads a datetime-local value (with or without seconds) in
// loc and returns it in UTC. In the hour that a daylight-saving change
// repeats, the earlier of the two instants is taken, so that deadlines
// counted from it are never later than they should be; a time that the
// change skips does not exist and is refused.
func parseLocal(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{localInputLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		t, err := time.ParseInLocation(layout, v, loc)
		if err != nil {
			continue
		}
		wall := t.Format(layout)
		if wall != v {
			return time.Time{}, fmt.Errorf("does not exist in %s: the clocks skip it for daylight saving time", loc)
		}
		for _, d := range []time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute} {
			if e := t.Add(-d); e.In(loc).Format(layout) == wall {
				t = e
				break
			}
		}
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("must be a date and time such as 2026-10-25T14:30; found %s", quoteValue(v))
}

// formTime reads a datetime-local field in loc. Empty gives the zero time;
// a value that is not a date and time is a problem located at the field.
func formTime(f *form, name string, loc *time.Location, probs *[]cradle.Problem) time.Time {
	v := strings.TrimSpace(f.Val(name))
	if v == "" {
		return time.Time{}
	}
	t, err := parseLocal(v, loc)
	if err != nil {
		*probs = append(*probs, cradle.Problem{Location: name, Message: err.Error()})
	}
	return t
}

func quoteValue(v string) string { return "“" + shorten(v, 40) + "”" }

// uiSetTimezone stores the viewer's zone in a cookie and returns to the
// page the form was on.
func (s *Server) uiSetTimezone(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(s.formValue(r, "tz"))
	if _, ok := loadZone(name); !ok {
		return cradle.Invalid("unknown time zone", cradle.Problem{Location: "tz", Message: "must be an IANA time zone such as Europe/Berlin, or UTC; found " + quoteValue(name)})
	}
	http.SetCookie(w, &http.Cookie{Name: tzCookie, Value: name, Path: "/", MaxAge: 400 * 24 * 3600,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode})
	back := "/"
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Path != "" && (ref.Host == "" || ref.Host == r.Host) {
		next := ref.Path
		if ref.RawQuery != "" {
			next += "?" + ref.RawQuery
		}
		back = safeNext(next)
	}
	return s.redirectFlash(w, r, back, "timezone-saved")
}
