package tools

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

func TestCatobjUnit(t *testing.T) {
	ctx := context.Background()
	stor := testMemStorage()
	for _, tt := range []struct {
		xid  zodb.Xid
		opt  CatobjOptions
		want string
	}{
		{zodb.Xid{At: 0x0285cbac258bf266, Oid: 3}, CatobjOptions{},
			"obj 0000000000000003 " + objHash("three\n") + "\nthree\n\n"},
		{zodb.Xid{At: zodb.TidMax, Oid: 3}, CatobjOptions{HashOnly: true},
			"obj 0000000000000003 " + objHash("three\n") + " -\n"},
		{zodb.Xid{At: zodb.TidMax, Oid: 3}, CatobjOptions{Raw: true}, "three\n"},
	} {
		var out bytes.Buffer
		if err := Catobj(ctx, &out, stor, tt.xid, &tt.opt); err != nil {
			t.Errorf("Catobj %s %+v: %v", tt.xid, tt.opt, err)
			continue
		}
		if out.String() != tt.want {
			t.Errorf("Catobj %s %+v:\n%q\nwant:\n%q", tt.xid, tt.opt, out.String(), tt.want)
		}
	}

	for _, tt := range []struct {
		xid     zodb.Xid
		opt     CatobjOptions
		wantErr string
	}{
		{zodb.Xid{At: zodb.TidMax, Oid: 9}, CatobjOptions{}, "no such object"},
		{zodb.Xid{At: zodb.TidMax, Oid: 2}, CatobjOptions{}, "deleted"},
		{zodb.Xid{At: zodb.TidMax, Oid: 3}, CatobjOptions{Raw: true, HashOnly: true}, "incompatible"},
		{zodb.Xid{At: zodb.TidMax, Oid: 3}, CatobjOptions{Pretty: "xml"}, "unsupported pretty format"},
	} {
		var out bytes.Buffer
		err := Catobj(ctx, &out, stor, tt.xid, &tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "tools: ") {
			t.Errorf("Catobj %s %+v: error = %v, want %q", tt.xid, tt.opt, err, tt.wantErr)
		}
		if out.Len() != 0 {
			t.Errorf("Catobj %s %+v: wrote %q", tt.xid, tt.opt, out.String())
		}
	}
}
