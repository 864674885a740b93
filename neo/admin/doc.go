// Package admin is NEO's admin node (NEO/py's neo/admin in Nexedi/neoppod):
// it follows the cluster from the primary master and serves neoctl.
//
// The admin identifies to the primary master as ADMIN (extra {backup: []}),
// then keeps what the master tells it: the node list
// (NotifyNodeInformation), the partition table (SendPartitionTable,
// NotifyPartitionChanges) and the cluster state (AskClusterState, then
// NotifyClusterInformation). While the cluster is operational it asks the
// last committed tid (AskLastTransaction) whenever its health summary
// changes, as NEO/py's monitor does.
//
// neoctl connects without identifying. The admin answers AskPrimary,
// AskClusterState, AskNodeList, AskPartitionList and AskMonitorInformation
// from what it keeps, and forwards the orders (SetClusterState,
// SetNodeState, AddPendingNodes, TweakPartitionTable, SetNumReplicas,
// CheckReplicas, Truncate, Repair) and AskLastIDs, AskLastTransaction,
// AskRecovery to the master on its own connection, relaying the master's
// answer under neoctl's msg id. A PROTOCOL_ERROR from the master closes the
// neoctl connection after relaying it. Without a primary master every
// request is refused with NOT_READY "Not connected to a primary master."
//
// The admin survives the master going away: pending forwarded requests
// fail with PROTOCOL_ERROR "connection to master lost", it forgets its NID
// and looks for the primary again every second; it stops when the
// cluster was STOPPING. Monitoring backup clusters and e-mail
// notifications (NEO/py's --monitor-* options) are not implemented: an
// admin of a backup cluster identifying to us is refused as NEO/py refuses
// an unknown backup.
package admin
