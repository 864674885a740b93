package fs1

import (
	"bufio"
	"encoding/binary"
	"os"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// testWriter writes a FileStorage directly in the format, for tests and
// benchmarks that need files Python did not make: big ones, or ones with
// a chosen defect. It keeps what a writer must (each oid's last record,
// for prev pointers) and nothing else.
type testWriter struct {
	w    *bufio.Writer
	pos  int64
	last map[zodb.Oid]int64 // oid → position of its last record
	txns []int64            // positions of the transactions written
}

// testRec is a data record to write: data, or when data is nil a
// backpointer to the record at back (0: a deletion).
type testRec struct {
	oid  zodb.Oid
	data []byte
	back int64
}

func newTestWriter(t testing.TB, path string) (*testWriter, func()) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := &testWriter{w: bufio.NewWriterSize(f, 1<<20), last: map[zodb.Oid]int64{}}
	w.write([]byte(Magic30))
	return w, func() {
		if err := w.w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func (w *testWriter) write(b []byte) {
	w.w.Write(b)
	w.pos += int64(len(b))
}

func (w *testWriter) u64(v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	w.write(b[:])
}

func (w *testWriter) u16(v uint16) {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	w.write(b[:])
}

// txn writes a transaction and returns the positions of its records.
func (w *testWriter) txn(tid zodb.Tid, status zodb.TxnStatus, user, descr, ext string, recs ...testRec) []int64 {
	tpos := w.pos
	tl := int64(TxnHeaderFixLen + len(user) + len(descr) + len(ext))
	for _, r := range recs {
		switch {
		case r.data == nil:
			tl += DataHeaderLen + backPtrLen
		case len(r.data) == 0:
			panic("testWriter: empty data") // plen 0 means a backpointer
		default:
			tl += DataHeaderLen + int64(len(r.data))
		}
	}
	w.txns = append(w.txns, tpos)
	w.u64(uint64(tid))
	w.u64(uint64(tl))
	w.write([]byte{byte(status)})
	w.u16(uint16(len(user)))
	w.u16(uint16(len(descr)))
	w.u16(uint16(len(ext)))
	w.write([]byte(user + descr + ext))
	var poss []int64
	for _, r := range recs {
		poss = append(poss, w.pos)
		w.record(tid, tpos, r)
	}
	w.u64(uint64(tl))
	return poss
}

func (w *testWriter) record(tid zodb.Tid, tpos int64, r testRec) {
	pos := w.pos
	w.u64(uint64(r.oid))
	w.u64(uint64(tid))
	w.u64(uint64(w.last[r.oid]))
	w.u64(uint64(tpos))
	w.u16(0)
	w.u64(uint64(len(r.data)))
	if r.data == nil {
		w.u64(uint64(r.back))
	} else {
		w.write(r.data)
	}
	w.last[r.oid] = pos
}
