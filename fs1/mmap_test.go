package fs1

import (
	"bytes"
	"os"
	"testing"
)

// TestMapGrowAndFault grows a file past its map and then truncates it
// under a reader: reads must follow the growth and fail cleanly on the
// truncated part.
func TestMapGrowAndFault(t *testing.T) {
	p := copyFile(t, "../testdata/fs1/small/small.fs", t.TempDir(), "data.fs")
	f := openFile(t, p)
	defer f.Close()
	m := f.maps.cur.Load()
	if m == nil {
		t.Skip("no memory map on this platform")
	}
	// Grow the file beyond the map, sparsely.
	newSize := int64(len(*m)) + 4096
	if err := os.Truncate(p, newSize); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Refresh(); err != nil {
		t.Fatal(err)
	}
	if m2 := f.maps.cur.Load(); int64(len(*m2)) < newSize {
		t.Fatalf("map of %d bytes for a file of %d", len(*m2), newSize)
	}
	b := make([]byte, 16)
	if err := f.readAt(b, newSize-16); err != nil || !bytes.Equal(b, make([]byte, 16)) {
		t.Fatalf("read at the end: %v %x", err, b)
	}
	if err := f.readAt(b, 0); err != nil || string(b[:4]) != Magic30 {
		t.Fatalf("read at the start: %v %q", err, b)
	}
	// Cut the file under the reader: Size still says newSize.
	if err := os.Truncate(p, 100); err != nil {
		t.Fatal(err)
	}
	if err := f.readAt(b, newSize-16); err == nil {
		t.Fatal("read of a truncated part succeeded")
	} else {
		t.Log(err)
	}
	if err := f.readAt(b, 50); err != nil {
		t.Fatalf("read of what remains: %v", err)
	}
	// A writer that aborts cuts the file back: Refresh follows.
	if size, err := f.Refresh(); err != nil || size != 100 {
		t.Errorf("refresh of a file cut to 100 bytes: %d, %v", size, err)
	}
	if err := f.readAt(b, 90); err == nil {
		t.Error("read past the new end succeeded")
	}
}
