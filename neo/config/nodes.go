package config

import (
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/storage"
)

// StorageConfig is the storage node's Config from s and the common
// config (Common).
func (s *Settings) StorageConfig(common cluster.Config) storage.Config {
	return storage.Config{
		Config:   common,
		Adapter:  s.Adapter,
		Database: s.Database,
		Reset:    s.Reset,
		Dedup:    s.Dedup,
	}
}

// MasterConfig is the master node's Config from s and the common config.
func (s *Settings) MasterConfig(common cluster.Config) master.Config {
	return master.Config{
		Config:     common,
		Autostart:  s.Autostart,
		Partitions: s.Partitions,
		Replicas:   s.Replicas,
	}
}
