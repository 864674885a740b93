package zpickle

import (
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestDecodeTestdata decodes every record of testdata, and checks the text
// of a few against what Python's repr prints for the same records (loaded
// by pickle.Unpickler with ZODB's encoding='ASCII', errors='bytes', dicts
// printed with sorted keys, references as Repr writes them). The same
// comparison was made once for every record of testdata.
func TestDecodeTestdata(t *testing.T) {
	golden := map[string]string{
		"fs1/small/small.zdump.raw 0000000000000019@03f5945cb7edb000": "<class 'zcorpus.Item'> " +
			`{'b': b'\x00\x01\xfe\xff raw bytes', 'big': 1180591620717411303424, 'cplx': (1-2j), ` +
			`'d': {3: 'int key', 'k': [1, 2, {'n': None}], 'ü': 'ß'}, 'empty_b': b'', 'empty_s': '', ` +
			`'empty_t': (), 'f': 3.141592653589793, 'false': False, 'fs': frozenset({1}), 'i': 42, ` +
			`'l': [1.5, -0.0, 'x'], 'long_s': '` + strings.Repeat("L", 400) + `', 'nan_like': inf, ` +
			`'neg': -7, 'negbig': -36893488147419103232, 'none': None, 's': 'plain ascii', ` +
			`'t': (1, 'a', b'b', None), 'true': True, 'u': 'ünïcödé ☃ 日本語 Ωμέγα'}`,
		"fs1/small/small.zdump.raw 0000000000000013@03f594632032dcaa": "<class 'persistent.list.PersistentList'> " +
			`{'data': [1, 'two', b'three', 4.0, None, (5, 6), [7, [8]], 'appended in T12']}`,
		"fs1/small/small.zdump.raw 000000000000001c@03f5945da76c6b33": "<class 'zcorpus.Node'> " +
			`{'data': {'peer': <ref oid=0x1b class=zcorpus.Node>}, 'name': 'D', ` +
			`'refs': [<ref oid=0x1c class=zcorpus.Node>, <ref oid=0x19 class=zcorpus.Item>]}`,
		"zodbtools/1/py2_pickle1/zdump.raw.ok 0000000000000001@0285cbac70a3d733": "<class '__main__.Object'> 'f0.12'",
		"zodbtools/1/py2_pickle2/zdump.raw.ok 0000000000000006@0285cbad80da7499": "<class '__main__.Object'> " +
			"<ref oid=0x6 class=__main__.Object>",
	}
	n := 0
	for _, path := range allDumps(t) {
		rel, _ := filepath.Rel(testdata, path)
		for _, r := range loadDump(t, path) {
			if r.data == nil {
				continue
			}
			class, state, err := Decode(r.data)
			if err != nil {
				t.Fatalf("%s: %s@%s: %v", path, r.oid, r.tid, err)
			}
			key := rel + " " + r.oid.String() + "@" + r.tid.String()
			if want, ok := golden[key]; ok {
				n++
				if got := Repr(class) + " " + Repr(state); got != want {
					t.Errorf("%s:\ngot  %s\nwant %s", key, got, want)
				}
			}
		}
	}
	if n != len(golden) {
		t.Errorf("%d of %d golden records found", n, len(golden))
	}
}

// record makes a record of a class pickle and the given state pickle.
func record(state string) []byte { return []byte("cm\nC\n." + state) }

// TestDecodeOpcodes covers the opcodes og-rek lacks and the protocols ZODB
// does not write today. The pickles are Python 3.11's pickle.dumps of the
// values named, except where the comment says the bytes are made by hand.
func TestDecodeOpcodes(t *testing.T) {
	long4 := "\x80\x02\x8b\x07\x01\x00\x00" + strings.Repeat("\x00", 262) + "\x10."
	for _, tt := range []struct {
		name, pickle, repr string
	}{
		// p = zc.Pt(); p.x = 1; p.y = [2]; p.me = p; protocol 2: NEWOBJ, BUILD
		{"newobj", "\x80\x02czc\nPt\nq\x00)\x81q\x01}q\x02(X\x01\x00\x00\x00xq\x03K\x01X\x01\x00\x00\x00yq\x04]q\x05K\x02aX\x02\x00\x00\x00meq\x06h\x01ub.",
			"<zc.Pt object state={'me': <...>, 'x': 1, 'y': [2]}>"},
		// the same, protocol 0: copy_reg._reconstructor, then BUILD
		{"reconstructor", "ccopy_reg\n_reconstructor\np0\n(czc\nPt\np1\nc__builtin__\nobject\np2\nNtp3\nRp4\n(dp5\nVx\np6\nI1\nsVy\np7\n(lp8\nI2\nasVme\np9\ng4\nsb.",
			"<zc.Pt object state={'me': <...>, 'x': 1, 'y': [2]}>"},
		// [{1, 2}, frozenset({'a'}), set()], protocol 4: EMPTY_SET, ADDITEMS, FROZENSET
		{"sets", "\x80\x04\x95\x16\x00\x00\x00\x00\x00\x00\x00]\x94(\x8f\x94(K\x01K\x02\x90(\x8c\x01a\x94\x91\x94\x8f\x94e.",
			"[{1, 2}, frozenset({'a'}), set()]"},
		// zc.Kw() with __getnewargs_ex__ = ((1,), {'k': 2}), protocol 4: NEWOBJ_EX
		{"newobjex", "\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x02zc\x94\x8c\x02Kw\x94\x93\x94K\x01\x85\x94}\x94\x8c\x01k\x94K\x02s\x92\x94.",
			"<zc.Kw object args=(1,) kwargs={'k': 2}>"},
		// bytearray(b'ab'), protocol 5: BYTEARRAY8
		{"bytearray", "\x80\x05\x95\x0d\x00\x00\x00\x00\x00\x00\x00\x96\x02\x00\x00\x00\x00\x00\x00\x00ab\x94.",
			"bytearray(b'ab')"},
		// 2**2100, protocol 2: LONG4
		{"long4", long4, new(big.Int).Lsh(big.NewInt(1), 2100).String()},
		// by hand: LONG4 of -1
		{"long4neg", "\x8b\x01\x00\x00\x00\xff.", "-1"},
		// {'a': [1, 2**70, 1.5, 'é', (None, True)], 'b': b'x'}, protocol 0
		{"proto0", "(dp0\nVa\np1\n(lp2\nI1\naL1180591620717411303424L\naF1.5\naV\xe9\np3\na(NI01\ntp4\nasVb\np5\nc_codecs\nencode\np6\n(Vx\np7\nVlatin1\np8\ntp9\nRp10\ns.",
			"{'a': [1, 1180591620717411303424, 1.5, 'é', (None, True)], 'b': b'x'}"},
		// by hand: INST of an old-style class, protocol 0, with BUILD
		{"inst", "(imod\nOld\n(dS'a'\nI1\nsb.", "<mod.Old object state={'a': 1}>"},
		// by hand: OBJ, protocol 1, with arguments
		{"obj", "(cmod\nOld\nK\x01K\x02o.", "<mod.Old object args=(1, 2)>"},
		// by hand: POP_MARK drops what MARK started
		{"popmark", "K\x07(K\x01K\x021.", "7"},
		// by hand: BINUNICODE8, BINBYTES8
		{"counted8", "\x8d\x02\x00\x00\x00\x00\x00\x00\x00hi\x8e\x01\x00\x00\x00\x00\x00\x00\x00b\x86.", "('hi', b'b')"},
		// by hand: LONG without its L, text memo index with a leading zero
		{"textmemo", "L12\np01\n0g1\n.", "12"},
		// by hand: PERSID, the protocol 0 persistent id, is text
		{"persid", "P\x00\x00\x00\x00\x00\x00\x00\x05\n.", "<ref oid=0x5>"},
	} {
		_, state, err := Decode(record(tt.pickle))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := Repr(state); got != tt.repr {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, got, tt.repr)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for name, data := range map[string]string{
		"empty":            "",
		"no state":         "cm\nC\n.",
		"truncated state":  "cm\nC\n.}q\x00X\x05\x00\x00\x00ab",
		"bad opcode":       "cm\nC\n.\xff.",
		"underflow":        "cm\nC\n.s.",
		"memo miss":        "cm\nC\n.h\x05.",
		"bad text memo":    "cm\nC\n.Ng-1\n.",
		"unhashable key":   "cm\nC\n.}](K\x01K\x02s.",
		"newobj not tuple": "cm\nC\n.cm\nC\nK\x01\x81.",
		"ext":              "cm\nC\n.\x82\x01.",
		"additems no set":  "cm\nC\n.](K\x01\x90.",
		"bad ref":          "cm\nC\n.K\x01Q.",
		"mark exposed":     "cm\nC\n.(.",
		"negative length":  "cm\nC\n.T\xff\xff\xff\xff.",
		"stop missing":     "cm\nC\n.K\x01",
	} {
		_, _, err := Decode([]byte(data))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !errors.Is(err, zodb.ErrCorrupt) || !strings.HasPrefix(err.Error(), "zpickle: ") {
			t.Errorf("%s: error %q is not a zpickle corrupt error", name, err)
		}
	}
}

func TestDecodeSharedMemo(t *testing.T) {
	// The state pickle refers to the memo of the class pickle (BINGET 0),
	// as ZODB's single pickler writes it.
	data := "\x80\x03cpersistent.mapping\nPersistentMapping\nq\x00.\x80\x03h\x00\x85q\x01."
	class, state, err := Decode([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := ogórek.Class{Module: "persistent.mapping", Name: "PersistentMapping"}
	if class != want || Repr(state) != "(<class 'persistent.mapping.PersistentMapping'>,)" {
		t.Errorf("Decode = %v, %s", class, Repr(state))
	}
}

func TestDecodeNesting(t *testing.T) {
	deep := func(n int) []byte {
		return record("N" + strings.Repeat("\x85", n) + "}q\x00h\x00(" + "N" + strings.Repeat("\x85", n) + "K\x01u.")
	}
	if _, state, err := Decode(deep(maxNesting - 1)); err != nil {
		t.Errorf("nesting %d: %v", maxNesting-1, err)
	} else if s := Repr(state); !strings.HasPrefix(s, "{((((") {
		t.Errorf("nesting %d: %.20s", maxNesting-1, s)
	}
	_, _, err := Decode(deep(maxNesting + 1))
	if !errors.Is(err, zodb.ErrCorrupt) || !strings.Contains(err.Error(), "nest deeper") {
		t.Errorf("nesting %d: err = %v", maxNesting+1, err)
	}
	// Through the memo: a tuple of itself, again and again.
	var b strings.Builder
	b.WriteString("Nq\x00")
	for i := 0; i < maxNesting+1; i++ {
		b.WriteString("h\x00\x85q\x00")
	}
	b.WriteString(".")
	if _, _, err := Decode(record(b.String())); !errors.Is(err, zodb.ErrCorrupt) {
		t.Errorf("nesting through the memo: err = %v", err)
	}
}

// TestDecodeSharedTuples checks the bounds on tuples a pickle shares
// exponentially many times over (DUP, TUPLE2, n times): as a dict key,
// og-rek would take 2**n steps to hash it; in a set, Repr would sort and
// print 2**n values.
func TestDecodeSharedTuples(t *testing.T) {
	dag := func(n int) string { return "N" + strings.Repeat("2\x86", n) }
	if _, _, err := Decode(record("}" + dag(12) + "Ns.")); err != nil {
		t.Errorf("key of 2**13 values: %v", err)
	}
	_, _, err := Decode(record("}" + dag(40) + "Ns."))
	if !errors.Is(err, zodb.ErrCorrupt) || !strings.Contains(err.Error(), "too large to hash") {
		t.Errorf("key of 2**41 values: err = %v", err)
	}
	_, state, err := Decode(record("cbuiltins\nset\n(" + dag(40) + "K\x01" + dag(40) + "l\x85R."))
	if err != nil {
		t.Fatal(err)
	}
	if s := Repr(state); len(s) > reprMaxLen+3 {
		t.Errorf("set of 2**41 values: %d bytes of text", len(s))
	}
}
