// The methods of Table 1 (FS-LCS, MT, ICT, DCT-Seg, UA-MT, Ours) behind one protocol and a registry, and the job that trains, predicts and scores one fold.
//
// This module is being built; see README.md for the layout and the open issues for its scope.
