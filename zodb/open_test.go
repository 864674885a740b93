package zodb

import (
	"context"
	"net/url"
	"testing"
)

func TestOpenReadOnlyOption(t *testing.T) {
	var got *Options
	RegisterDriver("roprobe", func(_ context.Context, _ *url.URL, _ string, opt *Options) (Storage, error) {
		got = opt
		return nil, nil
	})
	for _, tt := range []struct {
		url    string
		opt    *Options
		wantRO bool
	}{
		{"roprobe:///x", nil, false},
		{"roprobe:///x?read_only=true", nil, true},
		{"roprobe:///x?read_only=1", nil, true},
		{"roprobe:///x?read_only=yes", nil, true},
		{"roprobe:///x?read_only=off", nil, false},
		{"roprobe:///x?read_only=false", &Options{ReadOnly: true}, true},
	} {
		if _, err := Open(context.Background(), tt.url, tt.opt); err != nil {
			t.Fatalf("%s: %v", tt.url, err)
		}
		if got.ReadOnly != tt.wantRO {
			t.Errorf("%s: ReadOnly %v, want %v", tt.url, got.ReadOnly, tt.wantRO)
		}
	}
	if _, err := Open(context.Background(), "roprobe:///x?read_only=maybe", nil); err == nil {
		t.Error("read_only=maybe: no error")
	}
	if _, err := Open(context.Background(), "nosuch:///x", nil); err == nil {
		t.Error("unknown scheme: no error")
	}
}
