package proto

import (
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	m := &AnswerObject{Oid: 1, Serial: 0x03, NextSerial: NoTid, Checksum: make([]byte, 20), Data: []byte("hello"), DataSerial: NoTid}
	got := Format(m)
	want := `Oid=0000000000000001 Serial=0000000000000003 NextSerial=None Compression=0 Checksum=0x0000000000000000000000000000000000000000 Data="hello" DataSerial=None`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	g := &Generic{PacketCode: CodeNotifyMonitorInformation, Args: m.AppendArgs(nil)}
	if s := Format(g); !strings.Contains(s, `"hello"`) || !strings.HasPrefix(s, "[0000000000000001") {
		t.Errorf("generic: %s", s)
	}
	if s := Format(&Generic{Args: []byte{0x91, 0xd4, 4, 1}}); s != "[STORAGE]" {
		t.Errorf("enum: %s", s)
	}
}
