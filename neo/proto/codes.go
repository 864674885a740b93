package proto

// Packet codes, in the registration order of the Packets class of
// neo/lib/protocol.py (NEO/py, protocol version 5). A request or
// notification takes the next number of a counter starting at 0; a
// request's answer is its code | AnswerBit. Error takes counter value 0
// but its code is forced to 0x8000. Requests marked "answered by Error"
// have no answer code of their own.
const (
	CodeError                        uint16 = 0x8000
	CodeRequestIdentification        uint16 = 0x0001
	CodeAcceptIdentification         uint16 = 0x8001
	CodePing                         uint16 = 0x0002
	CodePong                         uint16 = 0x8002
	CodeCloseClient                  uint16 = 0x0003
	CodeAskPrimary                   uint16 = 0x0004
	CodeAnswerPrimary                uint16 = 0x8004
	CodeNotPrimaryMaster             uint16 = 0x0005
	CodeNotifyNodeInformation        uint16 = 0x0006
	CodeAskRecovery                  uint16 = 0x0007
	CodeAnswerRecovery               uint16 = 0x8007
	CodeAskLastIDs                   uint16 = 0x0008
	CodeAnswerLastIDs                uint16 = 0x8008
	CodeAskPartitionTable            uint16 = 0x0009
	CodeAnswerPartitionTable         uint16 = 0x8009
	CodeSendPartitionTable           uint16 = 0x000a
	CodeNotifyPartitionChanges       uint16 = 0x000b
	CodeStartOperation               uint16 = 0x000c
	CodeStopOperation                uint16 = 0x000d
	CodeAskUnfinishedTransactions    uint16 = 0x000e
	CodeAnswerUnfinishedTransactions uint16 = 0x800e
	CodeAskLockedTransactions        uint16 = 0x000f
	CodeAnswerLockedTransactions     uint16 = 0x800f
	CodeAskFinalTID                  uint16 = 0x0010
	CodeAnswerFinalTID               uint16 = 0x8010
	CodeValidateTransaction          uint16 = 0x0011
	CodeAskBeginTransaction          uint16 = 0x0012
	CodeAnswerBeginTransaction       uint16 = 0x8012
	CodeFailedVote                   uint16 = 0x0013
	CodeAskFinishTransaction         uint16 = 0x0014
	CodeAnswerTransactionFinished    uint16 = 0x8014
	CodeAskLockInformation           uint16 = 0x0015
	CodeAnswerInformationLocked      uint16 = 0x8015
	CodeInvalidateObjects            uint16 = 0x0016
	CodeInvalidatePartitions         uint16 = 0x0017
	CodeNotifyUnlockInformation      uint16 = 0x0018
	CodeAskNewOIDs                   uint16 = 0x0019
	CodeAnswerNewOIDs                uint16 = 0x8019
	CodeNotifyDeadlock               uint16 = 0x001a
	CodeAskRelockObject              uint16 = 0x001b
	CodeAnswerRelockObject           uint16 = 0x801b
	CodeAskStoreObject               uint16 = 0x001c
	CodeAnswerStoreObject            uint16 = 0x801c
	CodeAbortTransaction             uint16 = 0x001d
	CodeAskStoreTransaction          uint16 = 0x001e
	CodeAnswerStoreTransaction       uint16 = 0x801e
	CodeAskVoteTransaction           uint16 = 0x001f
	CodeAnswerVoteTransaction        uint16 = 0x801f
	CodeAskObject                    uint16 = 0x0020
	CodeAnswerObject                 uint16 = 0x8020
	CodeAskTIDs                      uint16 = 0x0021
	CodeAnswerTIDs                   uint16 = 0x8021
	CodeAskTransactionInformation    uint16 = 0x0022
	CodeAnswerTransactionInformation uint16 = 0x8022
	CodeAskObjectHistory             uint16 = 0x0023
	CodeAnswerObjectHistory          uint16 = 0x8023
	CodeAskPartitionList             uint16 = 0x0024
	CodeAnswerPartitionList          uint16 = 0x8024
	CodeAskNodeList                  uint16 = 0x0025
	CodeAnswerNodeList               uint16 = 0x8025
	CodeSetNodeState                 uint16 = 0x0026
	CodeAddPendingNodes              uint16 = 0x0027
	CodeTweakPartitionTable          uint16 = 0x0028
	CodeAnswerTweakPartitionTable    uint16 = 0x8028
	CodeSetNumReplicas               uint16 = 0x0029
	CodeSetClusterState              uint16 = 0x002a
	CodeRepair                       uint16 = 0x002b
	CodeNotifyRepair                 uint16 = 0x002c
	CodeNotifyClusterInformation     uint16 = 0x002d
	CodeAskClusterState              uint16 = 0x002e
	CodeAnswerClusterState           uint16 = 0x802e
	CodeAskObjectUndoSerial          uint16 = 0x002f
	CodeAnswerObjectUndoSerial       uint16 = 0x802f
	CodeAskTIDsFrom                  uint16 = 0x0030
	CodeAnswerTIDsFrom               uint16 = 0x8030
	CodeAskOIDsFrom                  uint16 = 0x0031
	CodeAnswerOIDsFrom               uint16 = 0x8031
	CodeWaitForPack                  uint16 = 0x0032
	CodeWaitedForPack                uint16 = 0x8032
	CodeAskPackOrders                uint16 = 0x0033
	CodeAnswerPackOrders             uint16 = 0x8033
	CodeNotifyPackSigned             uint16 = 0x0034
	CodeNotifyPackCompleted          uint16 = 0x0035
	CodeCheckReplicas                uint16 = 0x0036
	CodeCheckPartition               uint16 = 0x0037
	CodeAskCheckTIDRange             uint16 = 0x0038
	CodeAnswerCheckTIDRange          uint16 = 0x8038
	CodeAskCheckSerialRange          uint16 = 0x0039
	CodeAnswerCheckSerialRange       uint16 = 0x8039
	CodeNotifyPartitionCorrupted     uint16 = 0x003a
	CodeNotifyReady                  uint16 = 0x003b
	CodeAskLastTransaction           uint16 = 0x003c
	CodeAnswerLastTransaction        uint16 = 0x803c
	CodeAskCheckCurrentSerial        uint16 = 0x003d
	CodeAnswerCheckCurrentSerial     uint16 = 0x803d
	CodeNotifyTransactionFinished    uint16 = 0x003e
	CodeReplicate                    uint16 = 0x003f
	CodeNotifyReplicationDone        uint16 = 0x0040
	CodeAskFetchTransactions         uint16 = 0x0041
	CodeAnswerFetchTransactions      uint16 = 0x8041
	CodeAskFetchObjects              uint16 = 0x0042
	CodeAnswerFetchObjects           uint16 = 0x8042
	CodeAddTransaction               uint16 = 0x0043
	CodeAddObject                    uint16 = 0x0044
	CodeTruncate                     uint16 = 0x0045
	CodeFlushLog                     uint16 = 0x0046
	CodeAskMonitorInformation        uint16 = 0x0047
	CodeAnswerMonitorInformation     uint16 = 0x8047
	CodeNotifyMonitorInformation     uint16 = 0x0048
	CodeNotifyUpstreamAdmin          uint16 = 0x0049
)

// AnswerBit marks the code of an answer (NEO/py's RESPONSE_MASK).
const AnswerBit = 0x8000

// codeNames maps every packet code to its NEO/py class name.
var codeNames = map[uint16]string{
	CodeError:                        "Error",
	CodeRequestIdentification:        "RequestIdentification",
	CodeAcceptIdentification:         "AcceptIdentification",
	CodePing:                         "Ping",
	CodePong:                         "Pong",
	CodeCloseClient:                  "CloseClient",
	CodeAskPrimary:                   "AskPrimary",
	CodeAnswerPrimary:                "AnswerPrimary",
	CodeNotPrimaryMaster:             "NotPrimaryMaster",
	CodeNotifyNodeInformation:        "NotifyNodeInformation",
	CodeAskRecovery:                  "AskRecovery",
	CodeAnswerRecovery:               "AnswerRecovery",
	CodeAskLastIDs:                   "AskLastIDs",
	CodeAnswerLastIDs:                "AnswerLastIDs",
	CodeAskPartitionTable:            "AskPartitionTable",
	CodeAnswerPartitionTable:         "AnswerPartitionTable",
	CodeSendPartitionTable:           "SendPartitionTable",
	CodeNotifyPartitionChanges:       "NotifyPartitionChanges",
	CodeStartOperation:               "StartOperation",
	CodeStopOperation:                "StopOperation",
	CodeAskUnfinishedTransactions:    "AskUnfinishedTransactions",
	CodeAnswerUnfinishedTransactions: "AnswerUnfinishedTransactions",
	CodeAskLockedTransactions:        "AskLockedTransactions",
	CodeAnswerLockedTransactions:     "AnswerLockedTransactions",
	CodeAskFinalTID:                  "AskFinalTID",
	CodeAnswerFinalTID:               "AnswerFinalTID",
	CodeValidateTransaction:          "ValidateTransaction",
	CodeAskBeginTransaction:          "AskBeginTransaction",
	CodeAnswerBeginTransaction:       "AnswerBeginTransaction",
	CodeFailedVote:                   "FailedVote",
	CodeAskFinishTransaction:         "AskFinishTransaction",
	CodeAnswerTransactionFinished:    "AnswerTransactionFinished",
	CodeAskLockInformation:           "AskLockInformation",
	CodeAnswerInformationLocked:      "AnswerInformationLocked",
	CodeInvalidateObjects:            "InvalidateObjects",
	CodeInvalidatePartitions:         "InvalidatePartitions",
	CodeNotifyUnlockInformation:      "NotifyUnlockInformation",
	CodeAskNewOIDs:                   "AskNewOIDs",
	CodeAnswerNewOIDs:                "AnswerNewOIDs",
	CodeNotifyDeadlock:               "NotifyDeadlock",
	CodeAskRelockObject:              "AskRelockObject",
	CodeAnswerRelockObject:           "AnswerRelockObject",
	CodeAskStoreObject:               "AskStoreObject",
	CodeAnswerStoreObject:            "AnswerStoreObject",
	CodeAbortTransaction:             "AbortTransaction",
	CodeAskStoreTransaction:          "AskStoreTransaction",
	CodeAnswerStoreTransaction:       "AnswerStoreTransaction",
	CodeAskVoteTransaction:           "AskVoteTransaction",
	CodeAnswerVoteTransaction:        "AnswerVoteTransaction",
	CodeAskObject:                    "AskObject",
	CodeAnswerObject:                 "AnswerObject",
	CodeAskTIDs:                      "AskTIDs",
	CodeAnswerTIDs:                   "AnswerTIDs",
	CodeAskTransactionInformation:    "AskTransactionInformation",
	CodeAnswerTransactionInformation: "AnswerTransactionInformation",
	CodeAskObjectHistory:             "AskObjectHistory",
	CodeAnswerObjectHistory:          "AnswerObjectHistory",
	CodeAskPartitionList:             "AskPartitionList",
	CodeAnswerPartitionList:          "AnswerPartitionList",
	CodeAskNodeList:                  "AskNodeList",
	CodeAnswerNodeList:               "AnswerNodeList",
	CodeSetNodeState:                 "SetNodeState",
	CodeAddPendingNodes:              "AddPendingNodes",
	CodeTweakPartitionTable:          "TweakPartitionTable",
	CodeAnswerTweakPartitionTable:    "AnswerTweakPartitionTable",
	CodeSetNumReplicas:               "SetNumReplicas",
	CodeSetClusterState:              "SetClusterState",
	CodeRepair:                       "Repair",
	CodeNotifyRepair:                 "NotifyRepair",
	CodeNotifyClusterInformation:     "NotifyClusterInformation",
	CodeAskClusterState:              "AskClusterState",
	CodeAnswerClusterState:           "AnswerClusterState",
	CodeAskObjectUndoSerial:          "AskObjectUndoSerial",
	CodeAnswerObjectUndoSerial:       "AnswerObjectUndoSerial",
	CodeAskTIDsFrom:                  "AskTIDsFrom",
	CodeAnswerTIDsFrom:               "AnswerTIDsFrom",
	CodeAskOIDsFrom:                  "AskOIDsFrom",
	CodeAnswerOIDsFrom:               "AnswerOIDsFrom",
	CodeWaitForPack:                  "WaitForPack",
	CodeWaitedForPack:                "WaitedForPack",
	CodeAskPackOrders:                "AskPackOrders",
	CodeAnswerPackOrders:             "AnswerPackOrders",
	CodeNotifyPackSigned:             "NotifyPackSigned",
	CodeNotifyPackCompleted:          "NotifyPackCompleted",
	CodeCheckReplicas:                "CheckReplicas",
	CodeCheckPartition:               "CheckPartition",
	CodeAskCheckTIDRange:             "AskCheckTIDRange",
	CodeAnswerCheckTIDRange:          "AnswerCheckTIDRange",
	CodeAskCheckSerialRange:          "AskCheckSerialRange",
	CodeAnswerCheckSerialRange:       "AnswerCheckSerialRange",
	CodeNotifyPartitionCorrupted:     "NotifyPartitionCorrupted",
	CodeNotifyReady:                  "NotifyReady",
	CodeAskLastTransaction:           "AskLastTransaction",
	CodeAnswerLastTransaction:        "AnswerLastTransaction",
	CodeAskCheckCurrentSerial:        "AskCheckCurrentSerial",
	CodeAnswerCheckCurrentSerial:     "AnswerCheckCurrentSerial",
	CodeNotifyTransactionFinished:    "NotifyTransactionFinished",
	CodeReplicate:                    "Replicate",
	CodeNotifyReplicationDone:        "NotifyReplicationDone",
	CodeAskFetchTransactions:         "AskFetchTransactions",
	CodeAnswerFetchTransactions:      "AnswerFetchTransactions",
	CodeAskFetchObjects:              "AskFetchObjects",
	CodeAnswerFetchObjects:           "AnswerFetchObjects",
	CodeAddTransaction:               "AddTransaction",
	CodeAddObject:                    "AddObject",
	CodeTruncate:                     "Truncate",
	CodeFlushLog:                     "FlushLog",
	CodeAskMonitorInformation:        "AskMonitorInformation",
	CodeAnswerMonitorInformation:     "AnswerMonitorInformation",
	CodeNotifyMonitorInformation:     "NotifyMonitorInformation",
	CodeNotifyUpstreamAdmin:          "NotifyUpstreamAdmin",
}

// CodeName returns the NEO/py name of a packet code and whether the code
// is known.
func CodeName(code uint16) (string, bool) {
	n, ok := codeNames[code]
	return n, ok
}
