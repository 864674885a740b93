package clustertest

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

// guard bounds how long a node may take to drop a bad peer: not a
// performance figure, only what turns a hang into a failure.
const guard = 20 * time.Second

// TestBadPeers sends every node of a running cluster (master, storage,
// admin) what a broken or hostile peer would: bytes that are not NEO, a
// handshake of another protocol version, a handshake then bytes that are
// not msgpack, a packet of an unknown code, a valid packet of another
// node's conversation before any identification. Each node drops the
// connection or answers an error, and the cluster goes on committing.
func TestBadPeers(t *testing.T) {
	c := startCluster(t, simple.Options{})
	a := dialAdmin(t, c.AdminAddr())
	storages, err := a.NodeList(bg, proto.Storage)
	if err != nil || len(storages) == 0 {
		t.Fatalf("storage list: %v, %v", storages, err)
	}
	nodes := map[string]string{
		"master":  c.MasterAddr(),
		"storage": storages[0].Addr.String(),
		"admin":   c.AdminAddr(),
	}
	hs := proto.Handshake
	otherVersion := append(append([]byte(nil), hs[:len(hs)-1]...), hs[len(hs)-1]+1)
	unknownCode := proto.AppendPacket(nil, 0, &proto.Generic{PacketCode: 0x7777, Args: []byte{0x90}})
	streams := map[string][]byte{
		"http":          []byte("GET / HTTP/1.0\r\n\r\n"),
		"other version": otherVersion,
		"not msgpack":   append(append([]byte(nil), hs...), 0xc1, 0xc1, 0xc1, 0xc1),
		"unknown code":  append(append([]byte(nil), hs...), unknownCode...),
		"cut short":     append(append([]byte(nil), hs...), 0x93, 0x00, 0xcd),
	}
	for node, addr := range nodes {
		for what, b := range streams {
			t.Run(node+"/"+what, func(t *testing.T) { sendAndWaitClose(t, addr, b) })
		}
		t.Run(node+"/unidentified AskObject", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(bg, guard)
			defer cancel()
			l, err := link.Dial(ctx, "tcp", addr, link.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			m, err := l.Ask(ctx, &proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid})
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%s did not answer nor drop an unidentified AskObject", node)
			}
			if err == nil {
				t.Errorf("%s answered an unidentified AskObject with %v", node, m)
			}
		})
	}
	// An identified client sending malformed arguments: the master
	// answers an error or drops it, and does not fall over.
	t.Run("master/malformed args", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(bg, guard)
		defer cancel()
		l, err := link.Dial(ctx, "tcp", c.MasterAddr(), link.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if _, err := l.Identify(ctx, &proto.RequestIdentification{NodeType: proto.Client, NID: proto.NoNID,
			ClusterName: "clustertest", IDTimestamp: proto.NoTime, Extra: proto.Raw{0x80}}); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]byte{
			{0x91, 0xa1, 'x'},        // AskNewOIDs("x")
			{0x91, 0xd0, 0xff},       // AskNewOIDs(-1)
			{0x93, 0x01, 0x02, 0x03}, // AskNewOIDs(1, 2, 3)
		} {
			m, err := l.Ask(ctx, &proto.Generic{PacketCode: proto.CodeAskNewOIDs, Args: args})
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("master did not answer nor drop AskNewOIDs % x", args)
			}
			if err == nil {
				if _, isErr := m.(*proto.Error); !isErr {
					t.Errorf("AskNewOIDs % x answered with %v", args, m)
				}
			}
		}
	})
	w := open(t, c.URL())
	commit(t, w, "after the bad peers", map[zodb.Oid][]byte{newOids(t, w, 1)[0]: []byte("x")}, nil)
}

// sendAndWaitClose writes b to addr, ends its side of the connection (a
// node waits, as it should, for the rest of a packet cut short), and reads
// until the node closes the connection (it may first send its own
// handshake or an Error).
func sendAndWaitClose(t *testing.T, addr string, b []byte) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(guard))
	_, err = io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("%s kept the connection open after % x", addr, b)
	}
}
