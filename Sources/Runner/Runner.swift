// The distributed runner: the wire protocol, the coordinator, the worker, the durable journal and CURVE keys.
//
// This module is being built; see README.md for the layout and the open issues for its scope.
