package proto

// msgTypes maps the code of each typed packet to a constructor of its
// zero Msg. Every code of protocol 5 is listed, so Packet.Decode gives a
// *Generic only for codes added here later without a type.
var msgTypes = map[uint16]func() Msg{
	CodeError:                        func() Msg { return &Error{} },
	CodeRequestIdentification:        func() Msg { return &RequestIdentification{} },
	CodeAcceptIdentification:         func() Msg { return &AcceptIdentification{} },
	CodeAnswerPrimary:                func() Msg { return &AnswerPrimary{} },
	CodeNotifyNodeInformation:        func() Msg { return &NotifyNodeInformation{} },
	CodeAnswerNodeList:               func() Msg { return &AnswerNodeList{} },
	CodeStartOperation:               func() Msg { return &StartOperation{} },
	CodeAnswerRecovery:               func() Msg { return &AnswerRecovery{} },
	CodeAnswerLastIDs:                func() Msg { return &AnswerLastIDs{} },
	CodeNotifyPartitionChanges:       func() Msg { return &NotifyPartitionChanges{} },
	CodeAskFinishTransaction:         func() Msg { return &AskFinishTransaction{} },
	CodeAskLockInformation:           func() Msg { return &AskLockInformation{} },
	CodeInvalidateObjects:            func() Msg { return &InvalidateObjects{} },
	CodeAskNewOIDs:                   func() Msg { return &AskNewOIDs{} },
	CodeAnswerNewOIDs:                func() Msg { return &AnswerNewOIDs{} },
	CodeAbortTransaction:             func() Msg { return &AbortTransaction{} },
	CodeAskStoreTransaction:          func() Msg { return &AskStoreTransaction{} },
	CodeAnswerTransactionInformation: func() Msg { return &AnswerTransactionInformation{} },
	CodeAskUnfinishedTransactions:    func() Msg { return &AskUnfinishedTransactions{} },
	CodeAnswerUnfinishedTransactions: func() Msg { return &AnswerUnfinishedTransactions{} },
	CodeAskObject:                    func() Msg { return &AskObject{} },
	CodeAnswerObject:                 func() Msg { return &AnswerObject{} },
	CodeAddObject:                    func() Msg { return &AddObject{} },
	CodeAskStoreObject:               func() Msg { return &AskStoreObject{} },
	CodeAskCheckCurrentSerial:        func() Msg { return &AskCheckCurrentSerial{} },
	CodeAskTIDs:                      func() Msg { return &AskTIDs{} },
	CodeAskTIDsFrom:                  func() Msg { return &AskTIDsFrom{} },
	CodeAskObjectHistory:             func() Msg { return &AskObjectHistory{} },
	CodeAnswerObjectHistory:          func() Msg { return &AnswerObjectHistory{} },
	CodeAskNodeList:                  func() Msg { return &AskNodeList{} },
	CodeAskPartitionList:             func() Msg { return &AskPartitionList{} },
	CodeSetNodeState:                 func() Msg { return &SetNodeState{} },
	CodeAddPendingNodes:              func() Msg { return &AddPendingNodes{} },
	CodeSetNumReplicas:               func() Msg { return &SetNumReplicas{} },
	CodeTweakPartitionTable:          func() Msg { return &TweakPartitionTable{} },
	CodeAnswerTweakPartitionTable:    func() Msg { return &AnswerTweakPartitionTable{} },
	CodeNotifyReplicationDone:        func() Msg { return &NotifyReplicationDone{} },
	CodeAskFetchTransactions:         func() Msg { return &AskFetchTransactions{} },
	CodeAnswerFetchTransactions:      func() Msg { return &AnswerFetchTransactions{} },
	CodeAskCheckTIDRange:             func() Msg { return &AskCheckTIDRange{} },
	CodeAnswerCheckTIDRange:          func() Msg { return &AnswerCheckTIDRange{} },
	CodeAskCheckSerialRange:          func() Msg { return &AskCheckSerialRange{} },
	CodeAnswerCheckSerialRange:       func() Msg { return &AnswerCheckSerialRange{} },
	CodeAskOIDsFrom:                  func() Msg { return &AskOIDsFrom{} },
	CodeAnswerOIDsFrom:               func() Msg { return &AnswerOIDsFrom{} },
	CodeAnswerLockedTransactions:     func() Msg { return &AnswerLockedTransactions{} },
	CodeAskObjectUndoSerial:          func() Msg { return &AskObjectUndoSerial{} },
	CodeAnswerObjectUndoSerial:       func() Msg { return &AnswerObjectUndoSerial{} },
	CodeAnswerPackOrders:             func() Msg { return &AnswerPackOrders{} },
	CodeNotifyPackSigned:             func() Msg { return &NotifyPackSigned{} },
	CodeAddTransaction:               func() Msg { return &AddTransaction{} },
	CodeCheckPartition:               func() Msg { return &CheckPartition{} },
	CodeCheckReplicas:                func() Msg { return &CheckReplicas{} },
	CodeAskFetchObjects:              func() Msg { return &AskFetchObjects{} },
	CodeAnswerFetchObjects:           func() Msg { return &AnswerFetchObjects{} },
	CodeFailedVote:                   func() Msg { return &FailedVote{} },
	CodeInvalidatePartitions:         func() Msg { return &InvalidatePartitions{} },
	CodeRepair:                       func() Msg { return &Repair{} },
	CodeNotifyRepair:                 func() Msg { return &NotifyRepair{} },
	CodeNotifyPartitionCorrupted:     func() Msg { return &NotifyPartitionCorrupted{} },
	CodeNotifyUpstreamAdmin:          func() Msg { return &NotifyUpstreamAdmin{} },
	CodeNotPrimaryMaster:             func() Msg { return &NotPrimaryMaster{} },
	CodeAnswerRelockObject:           func() Msg { return &AnswerRelockObject{} },
	CodeReplicate:                    func() Msg { return &Replicate{} },
	CodeAnswerMonitorInformation:     func() Msg { return &AnswerMonitorInformation{} },
	CodeNotifyMonitorInformation:     func() Msg { return &NotifyMonitorInformation{} },
}

func init() {
	for _, c := range []uint16{
		CodePing, CodePong, CodeCloseClient, CodeAskPrimary, CodeAskRecovery,
		CodeAskLastIDs, CodeAskPartitionTable, CodeStopOperation,
		CodeAskLockedTransactions, CodeAnswerStoreTransaction,
		CodeAnswerVoteTransaction, CodeAskClusterState, CodeWaitedForPack,
		CodeNotifyReady, CodeAskLastTransaction, CodeFlushLog,
		CodeAskMonitorInformation,
	} {
		msgTypes[c] = func() Msg { return &NoArgs{PacketCode: c} }
	}
	for _, c := range []uint16{CodeNotifyClusterInformation, CodeAnswerClusterState, CodeSetClusterState} {
		msgTypes[c] = func() Msg { return &ClusterStateMsg{PacketCode: c} }
	}
	for _, c := range []uint16{CodeAnswerPartitionTable, CodeSendPartitionTable, CodeAnswerPartitionList} {
		msgTypes[c] = func() Msg { return &PartitionTable{PacketCode: c} }
	}
	for _, c := range []uint16{
		CodeAskBeginTransaction, CodeAnswerBeginTransaction, CodeAskFinalTID,
		CodeAnswerFinalTID, CodeAnswerInformationLocked, CodeNotifyUnlockInformation,
		CodeAskVoteTransaction, CodeAnswerLastTransaction, CodeAskTransactionInformation,
		CodeWaitForPack, CodeAskPackOrders, CodeNotifyPackCompleted, CodeTruncate,
		CodeAnswerStoreObject, CodeAnswerCheckCurrentSerial,
	} {
		msgTypes[c] = func() Msg { return &TidMsg{PacketCode: c} }
	}
	for _, c := range []uint16{CodeAnswerTransactionFinished, CodeValidateTransaction, CodeNotifyTransactionFinished} {
		msgTypes[c] = func() Msg { return &TidPair{PacketCode: c} }
	}
	for _, c := range []uint16{CodeNotifyDeadlock, CodeAskRelockObject} {
		msgTypes[c] = func() Msg { return &TidOid{PacketCode: c} }
	}
	for _, c := range []uint16{CodeAnswerTIDs, CodeAnswerTIDsFrom} {
		msgTypes[c] = func() Msg { return &TidList{PacketCode: c} }
	}
}
