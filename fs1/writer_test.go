package fs1

import (
	"bufio"
	"os"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// testWriter writes a FileStorage directly with the record encoders, for
// tests and benchmarks that need files Python did not make: big ones, or
// ones with a chosen defect. It keeps what a writer must (each oid's last
// record, for prev pointers) and nothing else.
type testWriter struct {
	w    *bufio.Writer
	pos  int64
	last map[zodb.Oid]int64 // oid → position of its last record
	txns []int64            // positions of the transactions written
	buf  []byte
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

// txn writes a transaction and returns the positions of its records.
func (w *testWriter) txn(tid zodb.Tid, status zodb.TxnStatus, user, descr, ext string, recs ...testRec) []int64 {
	h := &TxnHeader{Pos: w.pos, Tid: tid, Status: status,
		User: []byte(user), Description: []byte(descr), Extension: []byte(ext)}
	var dlen int64
	for _, r := range recs {
		if r.data != nil && len(r.data) == 0 {
			panic("testWriter: empty data") // plen 0 means a backpointer
		}
		n := int64(len(r.data))
		if r.data == nil {
			n = backPtrLen
		}
		dlen += DataHeaderLen + n
	}
	h.Len = TxnLen(h, dlen)
	b, err := AppendTxnHeader(w.buf[:0], h)
	if err != nil {
		panic(err)
	}
	w.txns = append(w.txns, h.Pos)
	var poss []int64
	for _, r := range recs {
		pos := w.pos + int64(len(b))
		d := &DataHeader{Oid: r.oid, Tid: tid, PrevRevPos: w.last[r.oid], TxnPos: h.Pos, BackPos: r.back}
		b = AppendDataRecord(b, d, r.data)
		poss = append(poss, pos)
		w.last[r.oid] = pos
	}
	b = AppendTxnTrailer(b, h.Len)
	w.write(b)
	w.buf = b
	return poss
}
