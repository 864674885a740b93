package fs1tools

import "testing"

func TestMetaRepr(t *testing.T) {
	if got := string(appendMetaRepr(nil, nil)); got != "''" {
		t.Errorf("empty metadata: %s", got)
	}
	if got := string(appendMetaRepr(nil, []byte("it's"))); got != `b"it's"` {
		t.Errorf("metadata: %s", got)
	}
	if got := string(appendStrRepr(nil, "p")); got != "'p'" {
		t.Errorf("status: %s", got)
	}
}
