// Segmentation metrics per 3D volume in millimetres: Dice, IoU, RAVD, ASSD and HD95 over an exact Euclidean distance transform.
//
// This module is being built; see README.md for the layout and the open issues for its scope.
