package main

import (
	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/neo/config"
)

func newMasterCommand() *cobra.Command {
	return newNodeCommand(config.Master, "Run a NEO master node",
		`Run a master node: it registers the other nodes, builds the partition
table when the cluster starts (-A N: as soon as N storages are pending; or
'neo ctl start'), allocates tids and oids, and coordinates commits.`,
		`  neo master -c mycluster -b 127.0.0.1:10000 -A 1
  neo master -f /etc/neo.conf`, newMaster)
}

func newStorageCommand() *cobra.Command {
	return newNodeCommand(config.Storage, "Run a NEO storage node",
		`Run a storage node on an SQLite database (-a SQLite -d FILE; NEO/py's
schema, so a NEO/py storage database opens here and the other way round).
With --reset it erases the database and exits.`,
		`  neo storage -c mycluster -m 127.0.0.1:10000 -d storage.db
  neo storage -f /etc/neo.conf -s storage2`, newStorage)
}

func newAdminCommand() *cobra.Command {
	return newNodeCommand(config.Admin, "Run a NEO admin node",
		`Run an admin node: it follows the cluster's state from the master and
serves 'neo ctl' (and NEO/py's neoctl).`,
		`  neo admin -c mycluster -m 127.0.0.1:10000 -b 127.0.0.1:9999
  neo admin -f /etc/neo.conf`, newAdmin)
}
