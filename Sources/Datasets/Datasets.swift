// The data: MetaImage and NIfTI readers and writers, the HDF5 dataset store, the synthetic prostate phantom, cross-validation folds, augmentation and the label firewall.
//
// This module is being built; see README.md for the layout and the open issues for its scope.
