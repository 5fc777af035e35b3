// Reports made from run directories: Table 1 as CSV and Markdown, per-case rows, Wilcoxon tests and figures.
//
// This module is being built; see README.md for the layout and the open issues for its scope.
