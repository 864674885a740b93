package fs1tools

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

func TestPackTid(t *testing.T) {
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		at   string
		days float64
		want zodb.Tid
		err  string
	}{
		{"", 0, zodb.TidFromTime(now), ""},
		{"", 1, zodb.TidFromTime(now.Add(-24 * time.Hour)), ""},
		{"", 0.5, zodb.TidFromTime(now.Add(-12 * time.Hour)), ""},
		{"03f5946170d6d577", 7, 0x03f5946170d6d577, ""},
		{"2024-01-02 03:13:26 UTC", 0, zodb.TidFromTime(time.Date(2024, 1, 2, 3, 13, 26, 0, time.UTC)), ""},
		{"3 days ago", 0, zodb.TidFromTime(now.Add(-72 * time.Hour)), ""},
		{"", -1, 0, "invalid number of days"},
		{"", math.NaN(), 0, "invalid number of days"},
		{"yesterday-ish", 0, 0, "invalid tid"},
		{"2024-03-02", 0, 0, "in the future"},
		{"ffffffffffffffff", 0, 0, "in the future"},
		{"0000000000000000", 0, 0, "invalid pack time"},
	} {
		got, err := PackTid(tt.at, tt.days, now)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("PackTid(%q, %v): %s, %v; want an error saying %q", tt.at, tt.days, got, err, tt.err)
			}
		case err != nil || got != tt.want:
			t.Errorf("PackTid(%q, %v): %s, %v; want %s", tt.at, tt.days, got, err, tt.want)
		}
	}
}
