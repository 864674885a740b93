package tools

import (
	"bytes"
	"strings"
	"testing"
)

func TestInfoUnit(t *testing.T) {
	stor := testMemStorage()
	for _, tt := range []struct {
		params         []string
		want, wantWarn string
	}{
		{nil, "name=mem.fs\nsize=4242\nhead=0285cbac258bf268\nlast_tid=0285cbac258bf268\n",
			"W: last_tid is deprecated alias for head\n"},
		{[]string{"head"}, "0285cbac258bf268\n", ""},
		{[]string{"size", "name", "size"}, "4242\nmem.fs\n4242\n", ""},
		{[]string{"last_tid"}, "0285cbac258bf268\n", "W: last_tid is deprecated alias for head\n"},
	} {
		var out, warn bytes.Buffer
		if err := Info(&out, stor, tt.params, &warn); err != nil {
			t.Errorf("Info %q: %v", tt.params, err)
			continue
		}
		if out.String() != tt.want || warn.String() != tt.wantWarn {
			t.Errorf("Info %q:\n%q, warned %q\nwant:\n%q, warned %q", tt.params, out.String(), warn.String(), tt.want, tt.wantWarn)
		}
	}

	var out bytes.Buffer
	err := Info(&out, stor, []string{"head", "colour"}, nil)
	if err == nil || !strings.Contains(err.Error(), `invalid parameter "colour"`) {
		t.Errorf("unknown parameter: error = %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("unknown parameter: wrote %q", out.String())
	}
}
