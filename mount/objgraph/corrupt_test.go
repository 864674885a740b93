package objgraph

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
)

// wantBroken checks that listing a tree fails with ErrBroken, after
// listing at most max entries.
func wantBroken(t *testing.T, g *Graph, oid zodb.Oid, max int) {
	t.Helper()
	o, err := g.Object(bg, oid)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var es []Entry
	go func() {
		defer close(done)
		es, err = listErr(o)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("listing does not end")
	}
	if !errors.Is(err, ErrBroken) || !errors.Is(err, zodb.ErrCorrupt) || len(es) > max {
		t.Errorf("listing: %d entries, %v; want ErrBroken after at most %d", len(es), err, max)
	}
	var oe *Error
	if !errors.As(err, &oe) || oe.Oid != oid {
		t.Errorf("error %v is not the tree's", err)
	}
}

func TestBrokenChain(t *testing.T) {
	t.Run("cycle", func(t *testing.T) {
		// The last bucket goes back to the second; its keys go back too.
		db, oid := newTreeDB(t, famOO, false, strItems(30), 5, 10)
		db[7] = record(t, ooBucketClass, ogórek.Tuple{ogórek.Tuple{"k00025", int64(1)}, ref(3, ooBucketClass)})
		wantBroken(t, New(db, 1), oid, 26)
	})
	t.Run("cycle of one bucket, keys that cannot be compared", func(t *testing.T) {
		db := mapLoader{}
		db[1] = record(t, ooBTreeClass, ogórek.Tuple{ogórek.Tuple{ref(2, ooBucketClass)}, ref(2, ooBucketClass)})
		db[2] = record(t, ooBucketClass, ogórek.Tuple{ogórek.Tuple{ogórek.Tuple{ogórek.Class{}}, int64(1)}, ref(2, ooBucketClass)})
		wantBroken(t, New(db, 1), 1, 10)
	})
	t.Run("missing bucket", func(t *testing.T) {
		db, oid := newTreeDB(t, famOO, false, strItems(30), 5, 10)
		delete(db, 4)
		g := New(db, 1)
		wantBroken(t, g, oid, 10)
		_, err := listErr(object(t, g, oid))
		if !errors.Is(err, ErrMissing) {
			t.Errorf("%v: want ErrMissing too", err)
		}
		if _, err := object(t, g, oid).Lookup(bg, "k00011"); !errors.Is(err, ErrBroken) {
			t.Errorf("lookup in the missing bucket: %v", err)
		}
		if e, err := object(t, g, oid).Lookup(bg, "k00021"); err != nil || string(e.Leaf) != "147\n" {
			t.Errorf("lookup in another bucket: %+v, %v", e, err)
		}
	})
	t.Run("keys out of order", func(t *testing.T) {
		db, oid := newTreeDB(t, famOO, false, strItems(30), 5, 10)
		db[3] = record(t, ooBucketClass, ogórek.Tuple{ogórek.Tuple{"k00006", int64(1), "k00005", int64(2)}, ref(4, ooBucketClass)})
		wantBroken(t, New(db, 1), oid, 6)
	})
	t.Run("not a bucket", func(t *testing.T) {
		db, oid := newTreeDB(t, famOO, false, strItems(30), 5, 10)
		db[4] = record(t, pmClass, dict("data", dict()))
		wantBroken(t, New(db, 1), oid, 10)
	})
	t.Run("undecodable bucket", func(t *testing.T) {
		db, oid := newTreeDB(t, famOO, false, strItems(30), 5, 10)
		db[4] = db[4][:len(db[4])-5]
		wantBroken(t, New(db, 1), oid, 10)
	})
	t.Run("tree that contains itself", func(t *testing.T) {
		db := mapLoader{}
		db[1] = record(t, ooBTreeClass, ogórek.Tuple{ogórek.Tuple{ref(1, ooBTreeClass), "m", ref(1, ooBTreeClass)}, ref(1, ooBTreeClass)})
		g := New(db, 1)
		wantBroken(t, g, 1, 0)
		if _, err := object(t, g, 1).Lookup(bg, "x"); !errors.Is(err, ErrBroken) {
			t.Errorf("lookup: %v, want ErrBroken", err)
		}
	})
}

// An undecodable record is still an object: raw data, serial and class,
// and an error for what needs its state; a BTree whose state is not one
// has a state text, but no entries.
func TestUndecodable(t *testing.T) {
	good := record(t, cls("zcorpus", "Item"), dict("a", int64(1)))
	for name, data := range map[string][]byte{
		"truncated":  good[:len(good)-3],
		"empty":      {},
		"garbage":    []byte("\x80\x03cfoo\nBar\nq\x00.\xff\xfe"),
		"bad btree":  record(t, ooBTreeClass, "not a tree state"),
		"bad bucket": record(t, ooBucketClass, ogórek.Tuple{ogórek.Tuple{"odd"}}),
	} {
		t.Run(name, func(t *testing.T) {
			g := New(mapLoader{7: data}, 1)
			o, err := g.Object(bg, 7)
			if err != nil {
				t.Fatal(err)
			}
			decodes := strings.HasPrefix(name, "bad")
			if o.Err == nil || string(o.Data) != string(data) || o.Serial != 1 || (o.State != nil) != decodes {
				t.Fatalf("object %+v", o)
			}
			if !errors.Is(o.Err, ErrBroken) || !errors.Is(o.Err, zodb.ErrCorrupt) || errors.Is(o.Err, ErrMissing) {
				t.Errorf("Err %v", o.Err)
			}
			if _, err := listErr(o); err != o.Err {
				t.Errorf("Entries: %v", err)
			}
			if _, err := o.Lookup(bg, "a"); err != o.Err {
				t.Errorf("Lookup: %v", err)
			}
			text, err := o.StateText()
			if decodes && (err != nil || len(text) == 0) || !decodes && err != o.Err {
				t.Errorf("StateText: %q, %v", text, err)
			}
			if text2, err := StateText(data); !decodes && !errors.Is(err, ErrBroken) || decodes && string(text2) != string(text) {
				t.Errorf("package StateText: %q, %v", text2, err)
			}
		})
	}
	o, _ := New(mapLoader{7: good[:len(good)-3]}, 1).Object(bg, 7)
	if o.Class != "zcorpus.Item" {
		t.Errorf("class of a truncated record %q", o.Class)
	}
}

func TestContextCanceled(t *testing.T) {
	db, oid := newTreeDB(t, famOO, false, strItems(30), 5, 10)
	g := New(db, 1)
	o := object(t, g, oid)
	ctx, cancel := context.WithCancel(bg)
	it := o.Entries(ctx)
	if !it.Next() {
		t.Fatal(it.Err())
	}
	cancel()
	if it.Next() || !errors.Is(it.Err(), context.Canceled) {
		t.Errorf("after cancel: %v", it.Err())
	}
}
