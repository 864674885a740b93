package zodb

import (
	"testing"
	"time"
)

func TestParseXid(t *testing.T) {
	now := time.Date(2009, 8, 30, 19, 20, 0, 0, time.UTC)
	ok := []struct {
		in   string
		want Xid
	}{
		{"0000000000000001@0285cbac258bf266", Xid{At: 0x0285cbac258bf266, Oid: 1}},
		{"0285cbac258bf266:0000000000000001", Xid{At: 0x0285cbac258bf266, Oid: 1}},
		{"0285cbac258bf266:0x1f", Xid{At: 0x0285cbac258bf266, Oid: 0x1f}},
		{"2018-01-01T10:30:00Z:0x01", Xid{At: 0x03c4857600000000, Oid: 1}},
	}
	for _, tt := range ok {
		got, err := ParseXid(tt.in, now)
		if err != nil || got != tt.want {
			t.Errorf("ParseXid(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "1", "0285cbac258bf266", ":", "zz:0x1",
		"0285cbac258bf266:", "0285cbac258bf266:0x", "0285cbac258bf266:0x11111111111111111",
		"0000000000000001@", "0000000000000001@nonsense"} {
		if x, err := ParseXid(bad, now); err == nil {
			t.Errorf("ParseXid(%q) = %v, want error", bad, x)
		}
	}
	x := Xid{At: 0x0285cbac258bf266, Oid: 1}
	if back, err := ParseXid(x.String(), now); err != nil || back != x {
		t.Errorf("round trip of %v: %v, %v", x, back, err)
	}
}
