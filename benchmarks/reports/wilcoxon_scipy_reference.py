#!/usr/bin/env python3
"""Expected p-values for Tests/ReportsTests/WilcoxonTests.swift, from scipy.stats.wilcoxon.

Run once; its output is pasted into the test. The Swift test follows scipy's
zero_method="wilcox" (zero differences dropped), method="exact" when the non-zero differences
number at most 50 and none tie, else method="asymptotic" with correction=True.
Made with scipy 1.17.1 (python3 benchmarks/reports/wilcoxon_scipy_reference.py).
"""
import scipy
from scipy.stats import wilcoxon

cases = {
    # name: (differences, scipy method)
    "exact_n10": ([0.8, -1.3, 2.1, 0.35, -0.2, 1.7, 2.9, -0.55, 1.05, 0.6], "exact"),
    "exact_n20": ([0.5 * k * (-1) ** (k * k // 3) + 0.01 * k for k in range(1, 21)], "exact"),
    "exact_zeros_dropped": ([0.0, 1.5, -0.25, 0.0, 3.0, 2.0, -0.75, 4.5], "exact"),
    "normal_ties_zeros_n30": ([((k * 7) % 11 - 4) * 0.5 for k in range(30)], "asymptotic"),
    "normal_n60_no_ties": ([(k * 37 % 61 - 27) / 10 + 0.001 * k for k in range(60)], "asymptotic"),
    "normal_small_with_ties": ([1.0, 1.0, -2.0, 3.0, 3.0, 3.0, 4.0, -1.0], "asymptotic"),
}

print(f"# scipy {scipy.__version__}")
for name, (d, method) in cases.items():
    r = wilcoxon(d, zero_method="wilcox", correction=True, method=method, alternative="two-sided")
    print(f'("{name}", {d!r}, {float(r.pvalue)!r}),')
