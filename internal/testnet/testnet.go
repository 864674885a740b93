// Package testnet gives tests loopback addresses they can bind again
// later (a master started twice on one address, masters that must know
// each other's address before they listen).
package testnet

import (
	"math/rand/v2"
	"net"
	"strconv"
	"testing"
)

// Ports come from below Linux's ephemeral range (32768-60999): a port
// picked with ":0" is ephemeral, and between its close and its new bind an
// outgoing connection of another test may take it as its local port.
const (
	minPort = 20000
	maxPort = 32000
)

// FreeAddrs returns n distinct 127.0.0.1 addresses whose ports were free
// when checked, outside the ephemeral port range.
func FreeAddrs(t testing.TB, n int) []string {
	t.Helper()
	seen := map[int]bool{}
	var addrs []string
	for tries := 0; len(addrs) < n; tries++ {
		if tries > 1000 {
			t.Fatal("testnet: no free port found")
		}
		port := minPort + rand.IntN(maxPort-minPort)
		if seen[port] {
			continue
		}
		seen[port] = true
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		ln.Close()
		addrs = append(addrs, addr)
	}
	return addrs
}
