package ctl

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// UsageError is a command line neoctl cannot run: an unknown verb ("invalid
// command: ..."), a bad or missing argument.
type UsageError struct{ Message string }

func (e *UsageError) Error() string { return e.Message }

func usagef(format string, a ...any) error { return &UsageError{Message: fmt.Sprintf(format, a...)} }

// ParseNID reads a NID as neoctl takes it: the type letter (S, M, C, A)
// and the number, e.g. "S1".
func ParseNID(s string) (proto.NID, error) {
	if s == "" {
		return proto.NoNID, usagef("empty node id")
	}
	var ns int32
	switch s[0] {
	case 'S':
		ns = 0x00
	case 'M':
		ns = -0x10
	case 'C':
		ns = -0x20
	case 'A':
		ns = -0x30
	default:
		return proto.NoNID, usagef("invalid node id %q: want S, M, C or A and a number", s)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s[1:]), 10, 32)
	if v := int64(ns)<<24 + n; err != nil || v < math.MinInt32 || v > math.MaxInt32 {
		return proto.NoNID, usagef("invalid node id %q: want S, M, C or A and a number", s)
	}
	return proto.NID(ns<<24 + int32(n)), nil
}

// ParseTid reads a TID argument as neoctl does: "tid:<integer>" (any case,
// decimal or 0x/0o/0b-prefixed) for a tid, else a float of Unix seconds,
// converted as NEO/py's tidFromTime.
func ParseTid(s string) (zodb.Tid, error) {
	if len(s) >= 4 && strings.EqualFold(s[:4], "tid:") {
		v, err := strconv.ParseUint(strings.TrimSpace(s[4:]), 0, 64)
		if err != nil {
			return 0, usagef("invalid tid %q", s)
		}
		return zodb.Tid(v), nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || !(f >= 0 && f < maxTidUnix) {
		return 0, usagef("invalid TID %q: want tid:<integer> or a UNIX timestamp", s)
	}
	return TidFromUnix(f), nil
}

// maxTidUnix is the Unix time past the last minute a tid can hold (in
// year 9917).
var maxTidUnix = float64(zodb.Tid(math.MaxUint64).Time().Unix() + 1)

// TidFromUnix is NEO/py's tidFromTime (cluster.TidFromUnix).
func TidFromUnix(t float64) zodb.Tid { return cluster.TidFromUnix(t) }

// parseNodeType reads "storage", "master", ... (any case).
func parseNodeType(s string) (proto.NodeType, error) {
	for t := proto.Master; t <= proto.Admin; t++ {
		if strings.EqualFold(t.String(), s) {
			return t, nil
		}
	}
	return 0, usagef("invalid node type %q", s)
}

// parseClusterState reads "running", "stopping", ... (any case).
func parseClusterState(s string) (proto.ClusterState, error) {
	for c := proto.Recovering; c <= proto.StoppingBackup; c++ {
		if strings.EqualFold(c.String(), s) {
			return c, nil
		}
	}
	return 0, usagef("invalid cluster state %q", s)
}

// parseNodeState reads "running", "down", ... (any case).
func parseNodeState(s string) (proto.NodeState, error) {
	for n := proto.NodeUnknown; n <= proto.NodePending; n++ {
		if strings.EqualFold(n.String(), s) {
			return n, nil
		}
	}
	return 0, usagef("invalid node state %q", s)
}

// parseOffset reads a partition offset as Python's int().
func parseOffset(s string) (uint32, error) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, usagef("invalid partition offset %q", s)
	}
	return uint32(v), nil
}
