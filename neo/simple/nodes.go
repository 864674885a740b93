package simple

import (
	"github.com/zodbneo/zodbneo/neo/admin"
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/storage"
)

func newMaster(cfg cluster.Config, autostart int, partitions, replicas uint32) (node, error) {
	m, err := master.New(master.Config{Config: cfg, Autostart: autostart, Partitions: partitions, Replicas: replicas})
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return m, nil
}

func newStorage(cfg cluster.Config, db string) (node, error) {
	st, err := storage.New(storage.Config{Config: cfg, Adapter: "SQLite", Database: db})
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return st, nil
}

func newAdmin(cfg cluster.Config) (node, error) {
	a, err := admin.New(admin.Config{Config: cfg})
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return a, nil
}
