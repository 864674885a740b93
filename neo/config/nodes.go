package config

import (
	"github.com/zodbneo/zodbneo/neo/cluster"
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
