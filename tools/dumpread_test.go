package tools

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// readAllTxns reads a whole dump, returning every transaction re-dumped
// with AppendDump, and the reader's error (nil at a clean end).
func readAllTxns(in []byte) (redump []byte, n int, err error) {
	d := NewDumpReader(bytes.NewReader(in), "")
	for {
		t, err := d.ReadTxn()
		if err == io.EOF {
			return redump, n, nil
		}
		if err != nil {
			return redump, n, err
		}
		redump = t.AppendDump(redump)
		n++
	}
}

// TestDumpReaderZodbtools is zodbtools' test_dumpreader.
func TestDumpReaderZodbtools(t *testing.T) {
	in := `txn 0123456789abcdef " "
user "my name"
description "o la-la..."
extension "zzz123 def"
obj 0000000000000001 delete
obj 0000000000000002 from 0123456789abcdee
obj 0000000000000003 54 adler32:01234567 -
obj 0000000000000004 4 sha1:9865d483bc5a94f2e30056fc256ed3066af54d04
ZZZZ
obj 0000000000000005 9 crc32:52fdeac5
ABC

DEF!

txn 0123456789abcdf0 " "
user "author2"
description "zzz"
extension "qqq"

`
	d := NewDumpReader(strings.NewReader(in), "")
	t1, err := d.ReadTxn()
	if err != nil {
		t.Fatal(err)
	}
	if t1.Tid != 0x0123456789abcdef || t1.Status != ' ' || string(t1.User) != "my name" ||
		string(t1.Description) != "o la-la..." || string(t1.Extension) != "zzz123 def" || len(t1.Objs) != 5 {
		t.Fatalf("txn 1: %+v", t1)
	}
	unhex := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	want := []DumpObj{
		{Oid: 1, Kind: DumpDelete, Line: 5},
		{Oid: 2, Kind: DumpCopy, Line: 6, CopyFrom: 0x0123456789abcdee},
		{Oid: 3, Kind: DumpData, Line: 7, Size: 54, HashFunc: "adler32", Hash: unhex("01234567"), HashOnly: true},
		{Oid: 4, Kind: DumpData, Line: 8, Size: 4, HashFunc: "sha1",
			Hash: unhex("9865d483bc5a94f2e30056fc256ed3066af54d04"), Data: []byte("ZZZZ")},
		{Oid: 5, Kind: DumpData, Line: 10, Size: 9, HashFunc: "crc32", Hash: unhex("52fdeac5"), Data: []byte("ABC\n\nDEF!")},
	}
	for i, w := range want {
		g := t1.Objs[i]
		if g.Oid != w.Oid || g.Kind != w.Kind || g.Line != w.Line || g.CopyFrom != w.CopyFrom || g.Size != w.Size ||
			g.HashFunc != w.HashFunc || !bytes.Equal(g.Hash, w.Hash) || g.HashOnly != w.HashOnly || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("obj %d: %+v, want %+v", i, g, w)
		}
	}
	redump := t1.AppendDump(nil)
	t2, err := d.ReadTxn()
	if err != nil {
		t.Fatal(err)
	}
	if t2.Tid != 0x0123456789abcdf0 || string(t2.User) != "author2" || string(t2.Description) != "zzz" ||
		string(t2.Extension) != "qqq" || len(t2.Objs) != 0 || t2.Line != 15 {
		t.Errorf("txn 2: %+v", t2)
	}
	redump = t2.AppendDump(redump)
	if _, err := d.ReadTxn(); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
	if string(redump) != in {
		t.Errorf("re-dumped:\n%s\nwant:\n%s", redump, in)
	}
	if d.Offset() != int64(len(in)) || d.Line() != 19 {
		t.Errorf("offset %d line %d, want %d 19", d.Offset(), d.Line(), len(in))
	}
}

// TestDumpReaderGoldens reads every raw and hash-only dump of testdata and
// writes it back byte for byte.
func TestDumpReaderGoldens(t *testing.T) {
	for _, g := range goldenStorages(t) {
		for _, kind := range []string{"zdump.raw", "zdump.hashonly"} {
			want, _, ok := readGolden(t, g.golden(kind))
			if !ok {
				continue
			}
			got, n, err := readAllTxns([]byte(want))
			if err != nil {
				t.Errorf("%s %s: %v", g.name(), kind, err)
				continue
			}
			if string(got) != want {
				t.Errorf("%s %s: %d transactions re-dumped differ", g.name(), kind, n)
			}
		}
	}
}

// TestDumpReaderErrors: each kind of malformed dump gives a *DumpError
// naming the line and what is wrong, and the reader keeps it.
func TestDumpReaderErrors(t *testing.T) {
	const hdr = "txn 0000000000000001 \" \"\nuser \"\"\ndescription \"\"\nextension \"\"\n"
	const hdr2 = "txn 0000000000000002 \" \"\nuser \"\"\ndescription \"\"\nextension \"\"\n"
	const hello = "obj 0000000000000001 5 sha1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\nhello\n"
	for _, tt := range []struct{ in, want string }{
		{"txn 1 \" \"\n", `in+1: invalid line: no txn start ("txn 1 \" \"")`},
		{"\n", `in+1: invalid line: no txn start ("")`},
		{"txn 0000000000000001 \"  \"\n", `in+1: invalid line: no txn start`},
		{"txn 0000000000000001 \"\\x\"\n", `in+1: invalid line: no txn start`},
		{"txn 0000000000000001 \"\"\n", `in+1: invalid line: no txn start`},
		{"txn 000000000000000G \" \"\n", `in+1: invalid line: no txn start`},
		{"txn 0000000000000001 \" \"\nuser \"\"\n", `in+2: invalid line: no description: unexpected end of dump`},
		{"txn 0000000000000001 \" \"\nusers \"\"\n", `in+2: invalid line: no user`},
		{"txn 0000000000000001 \" \"\nuser \"a\n", `in+2: invalid line: user: no closing " ("user \"a")`},
		{"txn 0000000000000001 \" \"\nuser \"a\"b\"\n", `in+2: invalid line: user: non-empty tail after closing "`},
		{"txn 0000000000000001 \" \"\nuser \"\\q\"\n", `in+2: invalid line: user: invalid escape "\\q"`},
		{"txn 0000000000000001 \" \"\nuser \"\\xg0\"\n", `in+2: invalid line: user: invalid escape "\\xg0"`},
		{"txn 0000000000000001 \" \"\nuser \"\\x0\"\n", `in+2: invalid line: user: invalid escape "\\x0\""`},
		{hdr, `in+4: unexpected end of dump in txn 0000000000000001: no empty line after its last obj`},
		{hdr + "obj 0000000000000001 delete\n", `in+5: unexpected end of dump in txn 0000000000000001`},
		{hdr + "ob 0000000000000001 delete\n\n", `in+5: invalid line: no obj ("ob 0000000000000001 delete")`},
		{hdr + "obj 0000000000000001 delete now\n\n", `in+5: invalid line: invalid obj entry`},
		{hdr + "obj 000000000000001 delete\n\n", `in+5: invalid line: invalid obj entry`},
		{hdr + "obj 0000000000000001 from 000000000000000\n\n", `in+5: invalid line: invalid obj entry`},
		{hdr + "obj 0000000000000001 1 xyz:0123 -\n\n", `in+5: invalid line: unknown hash function "xyz" ("obj 0000000000000001 1 xyz:0123 -")`},
		{hdr + "obj 0000000000000001 1 sha1:0123 -\n\n", `in+5: invalid line: sha1 hash has 4 hex digits, want 40`},
		{hdr + "obj 0000000000000001 99999999999999999999 null:00\n\n", `in+5: invalid line: invalid obj entry: size out of range`},
		{hdr + "obj 0000000000000001 -1 null:00\n\n", `in+5: invalid line: invalid obj entry`},
		{hdr + "obj 0000000000000001 5 crc32:01234567\nhello\n\n", `in+6: data corrupt: obj 0000000000000001: crc32 = 3610a686, expected 01234567`},
		{hdr + "obj 0000000000000001 5 sha1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\nhell", `in+5: unexpected end of dump in data of obj 0000000000000001: 4 bytes of 5 and a LF`},
		{hdr + "obj 0000000000000001 5 sha1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\nhello", `in+5: unexpected end of dump in data of obj 0000000000000001: 5 bytes of 5 and a LF`},
		{hdr + "obj 0000000000000001 4 sha1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\nhello\n\n", `in+5: no LF after obj data: obj 0000000000000001 is not 4 bytes long`},
		{hdr + "obj 0000000000000001 7 sha1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\nhello\n\nx\n", `in+7: no LF after obj data`},
		{hdr + "obj 0000000000000001 1000000000 null:00\nhello\n\n", `in+7: unexpected end of dump in data of obj 0000000000000001: 7 bytes of 1000000000`},
		{hdr + hello + "\n" + hdr, `in+8: txn 0000000000000001 is not after the previous one, 0000000000000001: tids must grow`},
		{hdr2 + "\n" + hdr, `in+6: txn 0000000000000001 is not after the previous one, 0000000000000002`},
		{hdr + hello + "\n\n", `in+8: invalid line: no txn start ("")`},
		{hdr + "\n" + strings.Repeat("x", maxDumpLine+10), `in+6: line longer than`},
	} {
		d := NewDumpReader(strings.NewReader(tt.in), "in")
		var err error
		for err == nil {
			_, err = d.ReadTxn()
		}
		var de *DumpError
		if !errors.As(err, &de) || !strings.HasPrefix(err.Error(), "tools: read dump: ") ||
			!strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q:\n got %v\nwant %s", tt.in, err, tt.want)
			continue
		}
		if _, err2 := d.ReadTxn(); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%q: error not kept: %v", tt.in, err2)
		}
	}
}

// TestDumpReaderLongLines reads metadata longer than the reader's buffer.
func TestDumpReaderLongLines(t *testing.T) {
	long := bytes.Repeat([]byte("é\x01\"\\"), 70000)
	txn := &DumpTxn{TxnInfo: zodb.TxnInfo{Tid: 5, Status: 'p', User: long, Description: long[:3], Extension: long},
		Objs: []DumpObj{{Oid: 9, Kind: DumpData, Size: int64(len(long)), HashFunc: "null", Hash: []byte{0}, Data: long}}}
	in := txn.AppendDump(nil)
	out, n, err := readAllTxns(in)
	if err != nil || n != 1 || !bytes.Equal(out, in) {
		t.Fatalf("n=%d err=%v, re-dump equal: %v", n, err, bytes.Equal(out, in))
	}
}

// TestUnquote checks Unquote against AppendQuote on every metadata of
// testdata, and the escapes only pygolang writes.
func TestUnquote(t *testing.T) {
	b, err := os.ReadFile("../testdata/fs1/small/small.zdump.raw")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range bytes.Split(b, []byte{'\n'}) {
		_, q, ok := bytes.Cut(l, []byte(" \""))
		if !ok || !(bytes.HasPrefix(l, []byte("user ")) || bytes.HasPrefix(l, []byte("description ")) ||
			bytes.HasPrefix(l, []byte("extension "))) {
			continue
		}
		q = append([]byte{'"'}, q...)
		s, err := Unquote(q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if back := AppendQuote(nil, s); !bytes.Equal(back, q) {
			t.Errorf("%s: quoted back as %s", q, back)
		}
	}
	for q, want := range map[string]string{
		`"\a\b\v\f\t\n\r\\\""`: "\a\b\v\f\t\n\r\\\"", `"\xFF\x00"`: "\xff\x00", `""`: "", "\"\xff\x01\"": "\xff\x01",
	} {
		if got, err := Unquote([]byte(q)); err != nil || string(got) != want {
			t.Errorf("Unquote(%s) = %q, %v; want %q", q, got, err, want)
		}
	}
	for _, q := range []string{``, `x`, `"`, `"\`, `"\x`, `"\x1"`, `'a'`, `"a"b`} {
		if got, err := Unquote([]byte(q)); err == nil {
			t.Errorf("Unquote(%s) = %q, want an error", q, got)
		}
	}
}

// TestDumpReaderStatus: every status byte Dump may write reads back, in
// its quoted form, and zodbtools' raw form `"<byte>"` is read too.
func TestDumpReaderStatus(t *testing.T) {
	for c := 0; c < 256; c++ {
		txn := &DumpTxn{TxnInfo: zodb.TxnInfo{Tid: 1, Status: zodb.TxnStatus(c)}}
		in := txn.AppendDump(nil)
		d := NewDumpReader(bytes.NewReader(in), "")
		if got, err := d.ReadTxn(); err != nil || got.Status != zodb.TxnStatus(c) {
			t.Errorf("status %q: %v", byte(c), err)
		}
		raw := append([]byte("txn 0000000000000001 \""), byte(c))
		raw = append(raw, "\"\nuser \"\"\ndescription \"\"\nextension \"\"\n\n"...)
		d = NewDumpReader(bytes.NewReader(raw), "")
		if got, err := d.ReadTxn(); c != '\n' && (err != nil || got.Status != zodb.TxnStatus(c)) {
			t.Errorf("raw status %q: %v", byte(c), err)
		}
	}
}
