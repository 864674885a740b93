// Package simple runs a whole NEO cluster in one process, for trying things
// out and for tests: one master, N storages on SQLite files in a work
// directory, and an admin, all listening on free 127.0.0.1 ports.
//
// Start returns once the cluster is RUNNING (the master starts it as soon
// as the N storages have joined: autostart N, as NEO/py's -A). Clients
// reach it at URL(), neoctl-like tools at AdminAddr(). Tests restart single
// nodes with StopStorage/StartStorage and RestartMaster: a restarted node
// keeps its address and its database, as a NEO/py node restarted by hand.
//
// `neo simple` is the command over this package.
package simple
