package simple

import (
	"errors"

	"github.com/zodbneo/zodbneo/neo/cluster"
)

// errNotBuilt: the node packages are being written; Start wires them as
// they land.
var errNotBuilt = errors.New("node package not available yet")

func newMaster(cfg cluster.Config, autostart int, partitions, replicas uint32) (node, error) {
	return nil, errNotBuilt
}

func newStorage(cfg cluster.Config, db string) (node, error) {
	return nil, errNotBuilt
}

func newAdmin(cfg cluster.Config) (node, error) {
	return nil, errNotBuilt
}
