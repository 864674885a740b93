package tools

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// cmpStorage builds a storage of one transaction per tid, each writing
// object 1 with data "d".
func cmpStorage(tids ...zodb.Tid) *memStorage {
	s := &memStorage{}
	for _, tid := range tids {
		s.txns = append(s.txns, memTxn{info: zodb.TxnInfo{Tid: tid, Status: ' ', User: []byte("u")},
			recs: []zodb.DataInfo{{Oid: 1, Tid: tid, Data: []byte("d")}}})
	}
	return s
}

func TestCmp(t *testing.T) {
	ctx := context.Background()
	const (
		ext3  = "\x80\x03}q\x00(X\x01\x00\x00\x00aq\x01X\x01\x00\x00\x00bq\x02X\x01\x00\x00\x00nq\x03K\x01u."
		ext0  = "(dp0\nVa\np1\nVb\np2\nsVn\np3\nI1\ns."
		ext0s = "(dp0\nS'a'\np1\nS'b'\np2\nsS'n'\np3\nI1\ns." // Python 2 str
		extF  = "\x80\x03}q\x00(X\x01\x00\x00\x00aq\x01X\x01\x00\x00\x00bq\x02X\x01\x00\x00\x00nq\x03G?\xf0\x00\x00\x00\x00\x00\x00u."
		extB  = "\x80\x03}q\x00(X\x01\x00\x00\x00aq\x01X\x01\x00\x00\x00bq\x02X\x01\x00\x00\x00nq\x03\x88X\x01\x00\x00\x00lq\x04]q\x05(K\x01K\x02\x85q\x06eu."
		extL  = "\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01X\x01\x00\x00\x00bq\x02X\x01\x00\x00\x00nq\x03K\x01X\x01\x00\x00\x00lq\x04]q\x05(G?\xf0\x00\x00\x00\x00\x00\x00K\x02\x85q\x06eu."
	)
	// each case changes stor2, a copy of stor1
	changed := func(f func(s *memStorage)) *memStorage {
		s := cmpStorage(0x10, 0x20, 0x30)
		f(s)
		return s
	}
	for _, tt := range []struct {
		name string
		s2   *memStorage
		want string // "" for equal
	}{
		{"same", cmpStorage(0x10, 0x20, 0x30), ""},
		{"extra txn", cmpStorage(0x10, 0x20, 0x30, 0x40), "tid 0000000000000040 present in stor2 but not in stor1"},
		{"missing txn", cmpStorage(0x10, 0x20), "tid 0000000000000030 present in stor1 but not in stor2"},
		{"other tid", cmpStorage(0x10, 0x15, 0x30), "tid 0000000000000015 present in stor2 but not in stor1"},
		{"other tid 2", cmpStorage(0x10, 0x25, 0x30), "tid 0000000000000020 present in stor1 but not in stor2"},
		{"status", changed(func(s *memStorage) { s.txns[1].info.Status = 'p' }), `transaction 0000000000000020 is different: status " " != "p"`},
		{"user", changed(func(s *memStorage) { s.txns[1].info.User = nil }), "user differs"},
		{"description", changed(func(s *memStorage) { s.txns[1].info.Description = []byte("x") }), "description differs"},
		{"extension", changed(func(s *memStorage) { s.txns[1].info.Extension = []byte("x") }), "extension differs"},
		{"no records", changed(func(s *memStorage) { s.txns[1].recs = nil }), "1 object records != 0"},
		{"oid", changed(func(s *memStorage) { s.txns[1].recs[0].Oid = 2 }), "record 0: obj 0000000000000001 != obj 0000000000000002"},
		{"data", changed(func(s *memStorage) { s.txns[1].recs[0].Data = []byte("e") }), "obj 0000000000000001: data differs"},
		{"deleted", changed(func(s *memStorage) { s.txns[1].recs[0].Data = nil }), "obj 0000000000000001: deleted in one only"},
		{"undo", changed(func(s *memStorage) { s.txns[1].recs[0].DataTid = 0x10 }), "obj 0000000000000001: data from 0000000000000000 != from 0000000000000010"},
	} {
		s1, s2 := cmpStorage(0x10, 0x20, 0x30), tt.s2
		var verbose bytes.Buffer
		diff, err := Cmp(ctx, s1, s2, 0, zodb.TidMax, &CmpOptions{Verbose: &verbose})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		switch {
		case tt.want == "" && (diff != nil || verbose.String() != "equal\n"):
			t.Errorf("%s: %v, verbose %q", tt.name, diff, verbose.String())
		case tt.want != "" && (diff == nil || !strings.Contains(diff.String(), tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, diff, tt.want)
		case tt.want != "" && !strings.HasPrefix(verbose.String(), "not-equal: ") || strings.Count(verbose.String(), "\n") != 1:
			t.Errorf("%s: verbose %q", tt.name, verbose.String())
		}
		// the range before the difference is equal
		if diff != nil && diff.Tid > 0x10 {
			if d, err := Cmp(ctx, s1, s2, 0, diff.Tid-1, nil); d != nil || err != nil {
				t.Errorf("%s: before the difference: %v %v", tt.name, d, err)
			}
		}
	}

	for _, tt := range []struct {
		a, b  string
		equal bool
	}{
		{ext3, ext0, true}, {ext3, ext0s, true}, {ext3, extF, true}, {extB, extL, true},
		{ext3, "", false}, {"", "\x80\x03}q\x00.", true}, {ext3, extB, false}, {"x", "y", false},
		{"\x80\x03]q\x00.", "\x80\x03)q\x00.", false}, // [] != ()
	} {
		s1, s2 := cmpStorage(0x10), cmpStorage(0x10)
		s1.txns[0].info.Extension, s2.txns[0].info.Extension = []byte(tt.a), []byte(tt.b)
		diff, err := Cmp(ctx, s1, s2, 0, zodb.TidMax, nil)
		if err != nil || (diff == nil) != tt.equal {
			t.Errorf("extensions %q and %q: %v %v, want equal: %v", tt.a, tt.b, diff, err, tt.equal)
		}
	}
}

// TestCmpErrors: a storage failing to iterate is an error, not a
// difference.
func TestCmpErrors(t *testing.T) {
	s1, s2 := cmpStorage(0x10, 0x20), cmpStorage(0x10, 0x20)
	s2.iterErr = errTorn
	_, err := Cmp(context.Background(), s1, s2, 0, zodb.TidMax, nil)
	if err == nil || !strings.Contains(err.Error(), "tools: cmp: stor2: torn record at 1234") {
		t.Errorf("%v", err)
	}
	s2 = cmpStorage(0x10, 0x20)
	s2.dataErr, s2.dataErrAt = errTorn, 0
	_, err = Cmp(context.Background(), s1, s2, 0, zodb.TidMax, nil)
	if err == nil || !strings.Contains(err.Error(), "tools: cmp: stor2: txn 0000000000000020: torn record") {
		t.Errorf("%v", err)
	}
}
