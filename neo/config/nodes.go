package config

import (
	"github.com/zodbneo/zodbneo/neo/admin"
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

// AdminConfig is the admin node's Config from s and the common config:
// the admin takes nothing more (NEO/py's monitor options are ignored).
func (s *Settings) AdminConfig(common cluster.Config) admin.Config {
	return admin.Config{Config: common}
}
