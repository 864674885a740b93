package fs1

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/storagetest"
)

var ctx = context.Background()

func openRO(t testing.TB, path string) *FileStorage {
	t.Helper()
	fs, err := Open(ctx, path, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// copyFile copies src into dir and returns the copy's path.
func copyFile(t testing.TB, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestInfo checks Size and Head against zodb info's goldens.
func TestInfo(t *testing.T) {
	for _, tf := range testFiles(t) {
		if tf.info == "" {
			continue
		}
		t.Run(tf.path, func(t *testing.T) {
			info := readInfo(t, tf.info)
			fs := openRO(t, tf.path)
			defer fs.Close()
			if got := fs.Head().String(); got != info["head"] {
				t.Errorf("head %s, want %s", got, info["head"])
			}
			if got := fs.Size(); strconv.FormatInt(got, 10) != info["size"] {
				t.Errorf("size %d, want %s", got, info["size"])
			}
			if fs.Name() != tf.path {
				t.Errorf("name %q, want %q", fs.Name(), tf.path)
			}
		})
	}
}

// TestIterateGolden iterates every file and compares with zodb dump's
// goldens: same transactions, metadata, records and data.
func TestIterateGolden(t *testing.T) {
	for _, tf := range testFiles(t) {
		t.Run(tf.path, func(t *testing.T) {
			want, exception := parseDump(t, tf.dump)
			fs := openRO(t, tf.path)
			defer fs.Close()
			got, err := iterDump(fs, 0, zodb.TidMax)
			checkDump(t, got, want)
			switch {
			case exception == "" && err != io.EOF:
				t.Errorf("iteration ends with %v, want EOF", err)
			case exception != "" && !IsTorn(err):
				t.Errorf("iteration ends with %v, want a torn tail as Python's %s", err, exception)
			}
		})
	}
}

// TestIterateRangeGolden compares ranged iteration with the ranged dumps.
func TestIterateRangeGolden(t *testing.T) {
	goldens, _ := filepath.Glob("../testdata/fs1/small/small.zdump.raw@*")
	if len(goldens) == 0 {
		t.Fatal("no ranged dump goldens")
	}
	fs := openRO(t, "../testdata/fs1/small/small.fs")
	defer fs.Close()
	for _, g := range goldens {
		_, rng, _ := strings.Cut(g, "@")
		lo, hi, err := zodb.ParseTidRange(rng, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		want, _ := parseDump(t, g)
		got, err := iterDump(fs, lo, hi)
		if err != io.EOF {
			t.Errorf("%s: %v", rng, err)
		}
		t.Run(rng, func(t *testing.T) { checkDump(t, got, want) })
	}
}

// TestIterateBackward checks that going backward over every file and
// every golden range yields the transactions of the golden dump, newest
// first; a torn tail is not served.
func TestIterateBackward(t *testing.T) {
	check := func(t *testing.T, fs *FileStorage, lo, hi zodb.Tid, want []dumpTxn) {
		got, err := iterDumpDir(fs, lo, hi, Backward)
		if err != io.EOF {
			t.Errorf("backward iteration ends with %v, want EOF", err)
		}
		slices.Reverse(got)
		checkDump(t, got, want)
	}
	for _, tf := range testFiles(t) {
		t.Run(tf.path, func(t *testing.T) {
			want, _ := parseDump(t, tf.dump)
			fs := openRO(t, tf.path)
			defer fs.Close()
			check(t, fs, 0, zodb.TidMax, want)
			if len(want) > 2 {
				// an inner range, bounds on transactions
				check(t, fs, want[1].tid, want[len(want)-2].tid, want[1:len(want)-1])
			}
		})
	}
	goldens, _ := filepath.Glob("../testdata/fs1/small/small.zdump.raw@*")
	fs := openRO(t, "../testdata/fs1/small/small.fs")
	defer fs.Close()
	for _, g := range goldens {
		_, rng, _ := strings.Cut(g, "@")
		lo, hi, err := zodb.ParseTidRange(rng, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		want, _ := parseDump(t, g)
		t.Run(rng, func(t *testing.T) { check(t, fs, lo, hi, want) })
	}
}

// iterDump iterates fs into the form of a dump golden.
func iterDump(fs *FileStorage, lo, hi zodb.Tid) ([]dumpTxn, error) {
	return iterDumpDir(fs, lo, hi, Forward)
}

// iterDumpDir is iterDump going in direction dir.
func iterDumpDir(fs *FileStorage, lo, hi zodb.Tid, dir Direction) ([]dumpTxn, error) {
	it := fs.Iterate(ctx, lo, hi)
	if dir == Backward {
		it = fs.IterateBackward(ctx, lo, hi)
	}
	var txns []dumpTxn
	for {
		info, di, err := it.NextTxn(ctx)
		if err != nil {
			return txns, err
		}
		x := dumpTxn{tid: info.Tid, status: byte(info.Status), user: info.User,
			descr: info.Description, extension: info.Extension}
		for {
			d, err := di.NextData(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				return txns, err
			}
			o := dumpObj{oid: d.Oid, kind: "data", data: bytes.Clone(d.Data)}
			switch {
			case d.Data == nil:
				o.kind, o.data = "delete", nil
			case d.DataTid != 0:
				o.kind, o.from, o.data = "from", d.DataTid, nil
			}
			x.objs = append(x.objs, o)
		}
		sortObjs(x.objs)
		txns = append(txns, x)
	}
}

func checkDump(t *testing.T, got, want []dumpTxn) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d transactions, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.tid != w.tid || g.status != w.status || !bytes.Equal(g.user, w.user) ||
			!bytes.Equal(g.descr, w.descr) || !bytes.Equal(g.extension, w.extension) {
			t.Errorf("txn %d: %s %q %q %q %q, want %s %q %q %q %q", i, g.tid, g.status, g.user, g.descr, g.extension,
				w.tid, w.status, w.user, w.descr, w.extension)
		}
		if len(g.objs) != len(w.objs) {
			t.Errorf("txn %s: %d records, want %d", g.tid, len(g.objs), len(w.objs))
			continue
		}
		for j := range g.objs {
			a, b := g.objs[j], w.objs[j]
			if a.oid != b.oid || a.kind != b.kind || a.from != b.from || !bytes.Equal(a.data, b.data) {
				t.Errorf("txn %s record %d:\nhave %v\nwant %v", g.tid, j, a, b)
			}
		}
	}
}

// TestLoadObjects checks loads against what Python said of every object.
func TestLoadObjects(t *testing.T) {
	for _, tf := range testFiles(t) {
		if tf.objects == "" {
			continue
		}
		t.Run(tf.path, func(t *testing.T) {
			objs := readObjects(t, tf.objects)
			fs := openRO(t, tf.path)
			defer fs.Close()
			if fs.Head().String() != objs.Head || fs.Size() != objs.Size {
				t.Errorf("head %s size %d, want %s %d", fs.Head(), fs.Size(), objs.Head, objs.Size)
			}
			if n := fs.mu.index.Len(); n != objs.NOids {
				t.Errorf("%d oids in the index, want %d", n, objs.NOids)
			}
			for soid, o := range objs.Objects {
				oid, err := zodb.ParseOid(soid)
				if err != nil {
					t.Fatal(err)
				}
				checkObject(t, fs, oid, &o)
			}
			_, _, err := fs.Load(ctx, zodb.Xid{At: fs.Head(), Oid: 0xdeadbeef})
			var ne *zodb.NoObjectError
			if !errors.As(err, &ne) {
				t.Errorf("load of a missing oid: %v", err)
			}
		})
	}
}

func checkObject(t *testing.T, fs *FileStorage, oid zodb.Oid, o *objectJSON) {
	t.Helper()
	head := fs.Head()
	data, serial, err := fs.Load(ctx, zodb.Xid{At: head, Oid: oid})
	if o.Deleted {
		var nd *zodb.NoDataError
		if !errors.As(err, &nd) {
			t.Errorf("%s: deleted: want *NoDataError, have %v", oid, err)
		}
	} else if err != nil {
		t.Errorf("%s: %v", oid, err)
	} else if serial.String() != *o.CurrentTid || sha1hex(data) != *o.CurrentSha1 {
		t.Errorf("%s: serial %s sha1 %s, want %s %s", oid, serial, sha1hex(data), *o.CurrentTid, *o.CurrentSha1)
	}
	for _, rec := range o.Records {
		checkRecord(t, fs, oid, rec)
	}
	hist, err := fs.History(ctx, oid, head, 1000)
	if err != nil || len(hist) != len(o.Revisions) {
		t.Errorf("%s: history %d revisions (%v), want %d", oid, len(hist), err, len(o.Revisions))
		return
	}
	for i, h := range hist {
		if w := o.Revisions[len(o.Revisions)-1-i]; h.Tid.String() != w {
			t.Errorf("%s: history[%d] %s, want %s", oid, i, h.Tid, w)
		}
	}
	first, _ := zodb.ParseTid(o.Revisions[0])
	_, _, err = fs.Load(ctx, zodb.Xid{At: first - 1, Oid: oid})
	var ne *zodb.NoObjectError
	if !errors.As(err, &ne) {
		t.Errorf("%s: before its creation: want *NoObjectError, have %v", oid, err)
	}
}

// checkRecord checks one record of objects.json: [tid,"data",len],
// [tid,"from",data_txn,len], [tid,"delete"] or [tid,"delete",data_txn].
func checkRecord(t *testing.T, fs *FileStorage, oid zodb.Oid, rec []any) {
	t.Helper()
	tid, _ := zodb.ParseTid(rec[0].(string))
	xid := zodb.Xid{At: tid, Oid: oid}
	data, serial, err := fs.Load(ctx, xid)
	switch kind := rec[1].(string); kind {
	case "data", "from":
		n := int(rec[len(rec)-1].(float64))
		if err != nil || serial != tid || len(data) != n {
			t.Errorf("load %s: serial %s, %d bytes, %v; want %s, %d bytes", xid, serial, len(data), err, tid, n)
		}
		if kind == "from" {
			from, _ := zodb.ParseTid(rec[2].(string))
			fdata, _, err := fs.Load(ctx, zodb.Xid{At: from, Oid: oid})
			if err != nil || !bytes.Equal(fdata, data) {
				t.Errorf("load %s: data differs from that of %s (%v)", xid, from, err)
			}
		}
	case "delete":
		var nd *zodb.NoDataError
		if !errors.As(err, &nd) || nd.DeletedAt != tid {
			t.Errorf("load %s: want deleted at %s, have %v", xid, tid, err)
		}
	default:
		t.Fatalf("unknown record kind %q", kind)
	}
}

func sha1hex(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// TestReadSuite runs the drivers' read suite on every file.
func TestReadSuite(t *testing.T) {
	for _, tf := range testFiles(t) {
		t.Run(tf.path, func(t *testing.T) {
			storagetest.RunReadSuite(t, func(t *testing.T) zodb.Storage {
				stor, err := zodb.Open(ctx, tf.path, &zodb.Options{ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				return stor
			}, &storagetest.ReadOptions{IterEnd: IsTorn})
		})
	}
}
