package fs1

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// TestEncodeGolden re-encodes every record of every file Python wrote and
// checks that the encoders give back its bytes exactly.
func TestEncodeGolden(t *testing.T) {
	for _, tf := range testFiles(t) {
		if strings.Contains(tf.path, "truncated") {
			continue
		}
		t.Run(tf.path, func(t *testing.T) {
			raw := mustRead(t, tf.path)
			f, err := OpenFile(tf.path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := append([]byte(nil), raw[:FileHeaderLen]...)
			it := f.Iter(FileHeaderLen, Forward)
			for {
				h, err := it.NextTxn()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if got, err = AppendTxnHeader(got, h); err != nil {
					t.Fatal(err)
				}
				for {
					d, err := it.NextData()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					data, err := it.Data()
					if err != nil {
						t.Fatal(err)
					}
					got = AppendDataHeader(got, d)
					got = append(got, data...)
				}
				got = AppendTxnTrailer(got, h.Len)
			}
			if !bytes.Equal(got, raw) {
				t.Fatalf("re-encoded file differs (%d bytes, want %d)", len(got), len(raw))
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	long := make([]byte, maxMetaLen+1)
	h := &TxnHeader{Tid: 1, Description: long}
	h.Len = TxnLen(h, 0)
	if _, err := AppendTxnHeader(nil, h); err == nil || !strings.HasPrefix(err.Error(), "fs1: ") {
		t.Errorf("description of %d bytes: err %v", len(long), err)
	}
	h = &TxnHeader{Tid: 1, User: []byte("u"), Len: TxnHeaderFixLen}
	if _, err := AppendTxnHeader(nil, h); err == nil {
		t.Error("tl shorter than the header: no error")
	}
	if err := CheckTxnMeta(nil, nil, make([]byte, maxMetaLen)); err != nil {
		t.Errorf("extension of %d bytes: %v", maxMetaLen, err)
	}
}

// TestEncodeDecode checks that what the encoders write decodes back.
func TestEncodeDecode(t *testing.T) {
	th := &TxnHeader{Tid: 0x0123456789abcdef, Status: zodb.TxnPacked,
		User: []byte("user"), Description: []byte("d"), Extension: []byte("e")}
	rec := &DataHeader{Oid: 7, Tid: th.Tid, PrevRevPos: 0, TxnPos: FileHeaderLen, BackPos: 0}
	th.Len = TxnLen(th, DataHeaderLen+backPtrLen)
	b, err := AppendTxnHeader([]byte(Magic30), th)
	if err != nil {
		t.Fatal(err)
	}
	x := decodeTxnFix(b[FileHeaderLen:])
	if x.tid != th.Tid || int64(x.tl) != th.Len || x.status != th.Status || x.ulen != 4 || x.dlen != 1 || x.elen != 1 {
		t.Fatalf("decoded %+v from %+v", x, th)
	}
	pos := int64(len(b))
	b = AppendDataRecord(b, rec, nil)
	var d DataHeader
	if err := d.decode(b[pos:], pos); err != nil {
		t.Fatal(err)
	}
	if err := d.decodeBack(b[pos+DataHeaderLen:]); err != nil {
		t.Fatal(err)
	}
	rec.Pos = pos
	if d != *rec {
		t.Fatalf("decoded %+v, want %+v", d, *rec)
	}
	if b = AppendTxnTrailer(b, th.Len); int64(len(b)) != FileHeaderLen+th.Len+txnTrailerLen {
		t.Fatalf("transaction of %d bytes, want %d", len(b)-FileHeaderLen, th.Len+txnTrailerLen)
	}
}
