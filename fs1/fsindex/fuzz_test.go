package fsindex

import (
	"bytes"
	"encoding/hex"
	"os"
	"testing"
)

// FuzzLoad checks that Load never panics or hangs, and that whatever it
// accepts saves and loads back equal.
func FuzzLoad(f *testing.F) {
	for _, path := range testdataIndexes(f) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, tt := range oldForms {
		b, _ := hex.DecodeString(tt.hex)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		if x.Validate() != nil {
			return // e.g. a dict index with positions over 48 bits
		}
		var buf bytes.Buffer
		if err := x.Save(&buf); err != nil {
			t.Fatalf("save: %v", err)
		}
		y, err := Load(&buf)
		if err != nil {
			t.Fatalf("reload: %v", err)
		}
		if !x.Equal(y) {
			t.Fatal("reloaded index differs")
		}
	})
}
