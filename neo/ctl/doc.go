// Package ctl is a client of a NEO admin node, as NEO/py's neoctl
// (neo/neoctl/neoctl.py and app.py in Nexedi/neoppod): Client asks the
// admin for the cluster's state and sends it the orders it forwards to the
// primary master; Run turns neoctl's command-line verbs ("print pt",
// "set cluster STOPPING", "add all", ...) into those calls and returns the
// text neoctl prints, byte for byte, sending the same packets.
//
// neoctl does not identify itself: it connects to the admin, sends its
// requests on the bare connection and reads the answers. Orders the
// master acknowledges are answered by an Error packet with code ACK whose
// message is the master's comment ("Cluster state changed"); DENIED is a
// refusal whose message neoctl prints alone; NOT_READY is printed as
// "ERROR: <message>".
//
// Where Run differs from NEO/py's neoctl (Python 3):
//   - "set node NID STATE" (SetNodeState) is accepted; neoctl only has
//     kill (DOWN) and drop (UNKNOWN).
//   - "check :" checks every partition; neoctl fails on it.
//   - Where neoctl dies with a Python traceback (a malformed NID, TID or
//     number, an unexpected answer), Run returns a one-line error.
//   - Usage() is our own summary of the verbs, not neoctl's help text.
package ctl
