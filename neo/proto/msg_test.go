package proto

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// TestKnownPackets encodes packets built in Go and compares with bytes
// NEO/py sent (PACKET-EXAMPLES.md of the traces), then decodes them back.
func TestKnownPackets(t *testing.T) {
	for _, tc := range []struct {
		id  uint32
		m   Msg
		hex string
	}{
		{0, &Error{ErrCode: NotReady, Message: "Retry Later"}, "93 00 cd 80 00 92 02 c4 0b 52 65 74 72 79 20 4c 61 74 65 72"},
		{1, &AnswerRecovery{PTid: NoPTid, BackupTid: NoTid, TruncateTid: NoTid}, "93 01 cd 80 07 93 c0 c0 c0"},
		{1, &NoArgs{PacketCode: CodeAskRecovery}, "93 01 07 90"},
		{0, &AskNodeList{NodeType: NoNodeType}, "93 00 25 91 c0"},
		{5, &AnswerLockedTransactions{Locked: []LockedTxn{}}, "93 05 cd 80 0f 91 80"},
		{7, &AnswerPackOrders{Orders: []PackOrder{}}, "93 07 cd 80 33 91 90"},
		{9, &AnswerCheckTIDRange{Count: 1, Checksum: unhex("6a11625a8fb46d24a7409da982ddb1cba9f4bdcf"), MaxTid: 0x040d3c91b00b01a8},
			"93 09 cd 80 38 93 01 c4 14 6a 11 62 5a 8f b4 6d 24 a7 40 9d a9 82 dd b1 cb a9 f4 bd cf c4 08 04 0d 3c 91 b0 0b 01 a8"},
		{1, &AddTransaction{Tid: 0x040d3c91afee9c11, User: []byte{}, Description: []byte("initial database creation"), Extension: []byte{},
			TTid: 0x040d3c91afe4c711, Oids: []zodb.Oid{0}},
			"93 01 43 98 c4 08 04 0d 3c 91 af ee 9c 11 c4 00 c4 19 69 6e 69 74 69 61 6c 20 64 61 74 61 62 61 73 65 20 63 72 65 61 74 69 6f 6e c4 00 c2 c4 08 04 0d 3c 91 af e4 c7 11 91 c4 08 00 00 00 00 00 00 00 00 c0"},
		{0x12, &AnswerRelockObject{Conflict: &RelockConflict{Serial: 0x040d3c8fda4f7398, ConflictSerial: 0x040d3c8fe7b3f0ba,
			Data: &ObjectData{Compression: 0, Checksum: unhex("80116b0189c88dc4bae559d20262c600cb3a01b1"), Data: unhex("8003634254726565732e4c656e6774680a4c656e6774680a71002e80034b642e")}}},
			"93 12 cd 80 1b 91 93 c4 08 04 0d 3c 8f da 4f 73 98 c4 08 04 0d 3c 8f e7 b3 f0 ba 93 00 c4 14 80 11 6b 01 89 c8 8d c4 ba e5 59 d2 02 62 c6 00 cb 3a 01 b1 c4 20 80 03 63 42 54 72 65 65 73 2e 4c 65 6e 67 74 68 0a 4c 65 6e 67 74 68 0a 71 00 2e 80 03 4b 64 2e"},
		{1, &ClusterStateMsg{PacketCode: CodeNotifyClusterInformation, State: Running}, "93 01 2d 91 d4 01 02"},
		{2, &NotifyNodeInformation{Timestamp: 0.5, Nodes: []NodeInfo{{Type: Master, Addr: &Address{"127.0.0.1", 22101}, NID: -268435455, State: NodeRunning, IDTimestamp: NoTime}}},
			"93 02 06 92 cb 3f e0 00 00 00 00 00 00 91 95 d4 04 00 92 c4 09 31 32 37 2e 30 2e 30 2e 31 cd 56 55 d2 f0 00 00 01 d4 03 02 c0"},
	} {
		want := unhex(tc.hex)
		got := AppendPacket(nil, tc.id, tc.m)
		if !bytes.Equal(got, want) {
			t.Errorf("%T:\n got % x\nwant % x", tc.m, got, want)
			continue
		}
		p, n, err := ParsePacket(want)
		if err != nil || n != len(want) || p.MsgID != tc.id {
			t.Errorf("%T: parse: %v", tc.m, err)
			continue
		}
		m, err := p.Decode()
		if err != nil {
			t.Errorf("%T: %v", tc.m, err)
			continue
		}
		if Format(m) != Format(tc.m) || reflect.TypeOf(m) != reflect.TypeOf(tc.m) {
			t.Errorf("decoded %T %s, want %s", m, Format(m), Format(tc.m))
		}
	}
}

// TestUnseenPackets round-trips packets typed from the source but absent
// from the traces.
func TestUnseenPackets(t *testing.T) {
	for _, m := range []Msg{
		&FailedVote{TTid: 5, NIDs: []NID{1, 2}},
		&InvalidatePartitions{Tid: 7, Partitions: []uint32{0, 3}},
		&TidOid{PacketCode: CodeNotifyDeadlock, TTid: 1, Oid: 2},
		&TidOid{PacketCode: CodeAskRelockObject, TTid: 1, Oid: 2},
		&Repair{NIDs: []NID{1}, DryRun: true},
		&NotifyRepair{DryRun: true},
		&NotifyPartitionCorrupted{Partition: 4, NIDs: []NID{}},
		&NotifyUpstreamAdmin{Addr: &Address{"::1", 9000}},
		&NotPrimaryMaster{Primary: NoPrimary, Masters: []*Address{{"a", 1}, nil}},
		&NotPrimaryMaster{Primary: 1, Masters: []*Address{}},
		&Replicate{Tid: 9, UpstreamName: "up", Sources: []ReplicateSource{{0, &Address{"h", 2}}, {1, nil}}},
		&NotifyMonitorInformation{Info: Raw{0x81, 0xc4, 1, 'k', 0x01}},
		&AnswerRelockObject{},
		&AnswerRelockObject{Conflict: &RelockConflict{Serial: 1, ConflictSerial: 2}},
		&AnswerMonitorInformation{Warnings: [][]byte{[]byte("b1"), nil, {}}, Problems: [][]byte{}, Summary: []byte("RUNNING")},
	} {
		b := AppendPacket(nil, 3, m)
		p, _, err := ParsePacket(b)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		m2, err := p.Decode()
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Errorf("%T: decoded %s, want %s", m, Format(m2), Format(m))
		}
	}
}
