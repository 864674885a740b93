package main

import (
	"github.com/zodbneo/zodbneo/neo/admin"
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/config"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/storage"
)

func newMaster(s *config.Settings, cfg cluster.Config) (node, error) {
	m, err := master.New(s.MasterConfig(cfg))
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return m, nil
}

func newStorage(s *config.Settings, cfg cluster.Config) (node, error) {
	st, err := storage.New(s.StorageConfig(cfg))
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return st, nil
}

func newAdmin(s *config.Settings, cfg cluster.Config) (node, error) {
	a, err := admin.New(s.AdminConfig(cfg))
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return a, nil
}
