package proto

import (
	"reflect"
	"testing"
)

func TestExtra(t *testing.T) {
	for _, e := range []Extra{
		{},
		{Devpath: []string{"vm", "65024"}, NewNID: []uint32{}},
		{HasBackup: true, Backup: []string{}},
		{HasReadOnly: true, ReadOnly: true},
		{Devpath: []string{}, NewNID: []uint32{3, 4}, HasBackup: true, Backup: []string{"b"}, HasReadOnly: true},
	} {
		got, err := ParseExtra(AppendExtra(nil, e))
		if err != nil || !reflect.DeepEqual(got, e) {
			t.Errorf("%+v: got %+v, %v", e, got, err)
		}
	}
	// s1-bootstrap's storage extra, and a backup master's (a name).
	b := []byte{0x82, 0xc4, 7, 'd', 'e', 'v', 'p', 'a', 't', 'h', 0x92, 0xc4, 2, 'v', 'm', 0xc4, 5, '6', '5', '0', '2', '4', 0xc4, 7, 'n', 'e', 'w', '_', 'n', 'i', 'd', 0x90}
	if e, err := ParseExtra(b); err != nil || len(e.Devpath) != 2 || e.Devpath[1] != "65024" || e.NewNID == nil {
		t.Errorf("storage extra: %+v %v", e, err)
	}
	b = []byte{0x81, 0xc4, 6, 'b', 'a', 'c', 'k', 'u', 'p', 0xc4, 2, 'u', 'p'}
	if e, err := ParseExtra(b); err != nil || !e.HasBackup || len(e.Backup) != 1 || e.Backup[0] != "up" {
		t.Errorf("backup extra: %+v %v", e, err)
	}
	if _, err := ParseExtra([]byte{0x81, 0xc4, 7, 'd', 'e', 'v', 'p', 'a', 't', 'h', 0x05}); err == nil {
		t.Error("devpath not a list accepted")
	}
}
