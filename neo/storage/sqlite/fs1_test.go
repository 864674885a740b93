package sqlite

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"io"
	"testing"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

const smallFS = "../../../testdata/fs1/small/small.fs"

// convertFS commits every transaction of a FileStorage into db as a
// storage node would (tid = ttid; undo records as value_tid), and returns
// the tids.
func convertFS(t testing.TB, db *DB, path string) []zodb.Tid {
	t.Helper()
	ctx := context.Background()
	fs, err := fs1.Open(ctx, path, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	var tids []zodb.Tid
	it := fs.Iterate(ctx, 0, zodb.Tid(proto.MaxTid))
	for {
		ti, dit, err := it.NextTxn(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		txn := &backend.Txn{User: ti.User, Description: ti.Description, Extension: ti.Extension}
		var objs []backend.TempObject
		for {
			d, err := dit.NextData(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			o := backend.TempObject{Oid: d.Oid, DataID: backend.NoData, ValueTid: proto.NoTid}
			switch {
			case d.DataTid != 0:
				o.ValueTid = d.DataTid
			case d.Data != nil:
				if o.DataID, err = db.StoreData(sha1.Sum(d.Data), 0, d.Data, d.Oid); err != nil {
					t.Fatal(err)
				}
			}
			objs = append(objs, o)
			txn.Oids = append(txn.Oids, d.Oid)
		}
		if err := db.StoreTransaction(ti.Tid, objs, txn); err != nil {
			t.Fatal(err)
		}
		if err := db.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := db.LockTransaction(ti.Tid, ti.Tid); err != nil {
			t.Fatal(err)
		}
		if err := db.UnlockTransaction(ti.Tid, ti.Tid); err != nil {
			t.Fatal(err)
		}
		tids = append(tids, ti.Tid)
	}
	return tids
}

// TestFileStorage: every revision of small.fs (undo records, a deletion,
// an empty transaction, non-UTF-8 metadata), converted as a storage node
// stores a commit, loads back as FileStorage loads it.
func TestFileStorage(t *testing.T) {
	db, _ := newTestDB(t, 3, Options{})
	tids := convertFS(t, db, smallFS)
	if len(tids) != 20 {
		t.Fatalf("%d transactions, want 20", len(tids))
	}
	ctx := context.Background()
	fs, err := fs1.Open(ctx, smallFS, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	maxOid := zodb.Oid(0)
	for _, tid := range tids {
		txn, err := db.Transaction(tid, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range txn.Oids {
			maxOid = max(maxOid, o)
		}
	}
	_, lastOid, _, _ := db.LastIDs()
	if lastOid != maxOid {
		t.Errorf("last oid %s, want %s", lastOid, maxOid)
	}
	for _, tid := range tids {
		for oid := zodb.Oid(0); oid <= maxOid+1; oid++ {
			want, wantSerial, wantErr := fs.Load(ctx, zodb.Xid{At: tid, Oid: oid})
			o, err := db.Object(oid, proto.NoTid, tid+1)
			var noData *zodb.NoDataError
			var noObj *zodb.NoObjectError
			switch {
			case wantErr == nil:
				if err != nil || o.Serial != wantSerial || !bytes.Equal(o.Data, want) {
					t.Errorf("%s@%s: %+v %v, want serial %s", oid, tid, o, err, wantSerial)
				}
			case errors.As(wantErr, &noData):
				if err != nil || len(o.Data) != 0 || o.Checksum != backend.ZeroHash {
					t.Errorf("%s@%s: %+v %v, want deleted", oid, tid, o, err)
				}
			case errors.As(wantErr, &noObj):
				if !errors.Is(err, backend.ErrOidNotFound) && !errors.Is(err, backend.ErrOidDoesNotExist) {
					t.Errorf("%s@%s: %+v %v, want no object", oid, tid, o, err)
				}
			default:
				t.Fatal(wantErr)
			}
		}
	}
	// History of the hot object: its 10 revisions and the creation.
	h, err := db.History(3, 0, 100)
	if err != nil || len(h) < 10 {
		t.Errorf("history of 3: %v %v", h, err)
	}
	for i := 1; i < len(h); i++ {
		if h[i].Serial >= h[i-1].Serial {
			t.Errorf("history of 3 not newest first: %v", h)
		}
	}
}
