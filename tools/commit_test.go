package tools

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

func sha1hex(s string) string { return fmt.Sprintf("%x", sha1.Sum([]byte(s))) }

// TestCommit is zodbtools' test_zodbcommit_cmd over Commit: two commits,
// then the dump shows them; a "from" entry copies data.
func TestCommit(t *testing.T) {
	ctx := context.Background()
	w := newMemWriter()
	at0 := w.Head()
	t1 := "user \"user name\"\ndescription \"description ...\"\nextension \"\\x80\\x03}q\\x00.\"\n" +
		"obj 0000000000000001 5 sha1:" + sha1hex("data1") + "\ndata1\n" +
		"obj 0000000000000002 5 sha1:" + sha1hex("data2") + "\ndata2\n\n"
	t2 := "user \"user2\"\ndescription \"desc2\"\nextension \"\"\nobj 0000000000000002 delete\n\n"
	at1, err := Commit(ctx, w, at0, strings.NewReader(t1), nil)
	if err != nil {
		t.Fatal(err)
	}
	at2, err := Commit(ctx, w, at1, strings.NewReader(t2), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("txn %s \" \"\n%stxn %s \" \"\n%s", at1, t1, at2, t2)
	if got := dumpString(t, w); got != want {
		t.Errorf("dump:\n%s\nwant:\n%s", got, want)
	}
	t3 := fmt.Sprintf("user \"user3\"\ndescription \"desc3\"\nextension \"\"\nobj 0000000000000001 from %s\n\n", at1)
	at3, err := Commit(ctx, w, at1, strings.NewReader(t3), nil)
	if err != nil {
		t.Fatal(err)
	}
	if data, serial, err := w.Load(ctx, zodb.Xid{At: at3, Oid: 1}); err != nil || string(data) != "data1" || serial != at3 {
		t.Errorf("copied object: %q %s %v", data, serial, err)
	}
}

// TestCommitErrors: conflicts, malformed input and read-only storages.
func TestCommitErrors(t *testing.T) {
	ctx := context.Background()
	w := newMemWriter()
	const meta = "user \"\"\ndescription \"\"\nextension \"\"\n"
	obj1 := "obj 0000000000000001 5 sha1:" + sha1hex("data1") + "\ndata1\n"
	at1, err := Commit(ctx, w, 0, strings.NewReader(meta+obj1+"\n"), &CommitOptions{Name: "<stdin>"})
	if err != nil {
		t.Fatal(err)
	}
	// based on the state before at1: obj 1 changed since
	_, err = Commit(ctx, w, 0, strings.NewReader(meta+obj1+"\n"), &CommitOptions{Name: "<stdin>"})
	var ce *zodb.ConflictError
	if !errors.As(err, &ce) || ce.Oid != 1 || ce.Committed != at1 || ce.Based != 0 ||
		!strings.HasPrefix(err.Error(), "tools: commit @0000000000000000: <stdin>+") {
		t.Errorf("conflict: %v", err)
	}
	for _, tt := range []struct{ in, want string }{
		{meta + obj1 + "\nx", "<stdin>+7: garbage after transaction"},
		{meta + obj1 + "\n\n", "<stdin>+7: garbage after transaction"},
		{meta + obj1, "<stdin>+5: unexpected end of dump"},
		{"", "<stdin>+0: invalid line: no user: unexpected end of dump"},
		{"txn 0000000000000000 \" \"\n" + meta + "\n", `<stdin>+1: invalid line: no user ("txn`},
		{meta + "obj 0000000000000001 5 sha1:" + sha1hex("data1") + " -\n\n", "<stdin>+4: obj 0000000000000001: a hash-only entry cannot be committed"},
		{meta + "obj 0000000000000001 from 0000000000000001\n\n", "<stdin>+4: obj 0000000000000001: copy from @0000000000000001: no data"},
	} {
		_, err := Commit(ctx, w, at1, strings.NewReader(tt.in), &CommitOptions{Name: "<stdin>"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
	if w.Head() != at1 {
		t.Errorf("head moved to %s", w.Head())
	}
	w.readOnly = true
	if _, err := Commit(ctx, w, at1, strings.NewReader(meta+"\n"), nil); !errors.Is(err, zodb.ErrReadOnly) {
		t.Errorf("read-only: %v", err)
	}
}
