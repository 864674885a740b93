// Package ctl is a client of a NEO admin node, as NEO/py's neoctl
// (neo/neoctl/neoctl.py and app.py in Nexedi/neoppod): Client asks the
// admin for the cluster's state and sends it the orders it forwards to the
// primary master; Run turns neoctl's command-line verbs ("print pt",
// "set cluster STOPPING", "add all", ...) into those calls and returns the
// text neoctl prints, byte for byte.
//
// neoctl does not identify itself: it connects to the admin, sends its
// requests on the bare connection and reads the answers. Orders the
// master acknowledges are answered by an Error packet with code ACK whose
// message is the master's comment ("Cluster state changed"); any other
// Error is a refusal.
package ctl
