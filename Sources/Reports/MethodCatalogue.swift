/// The methods of the project, in the table's order.
public enum MethodCatalogue {
    /// The paper's method, against which every other method is tested.
    public static let ours = "ours"

    private static func paper(_ d: (Double, Double), _ i: (Double, Double), _ a: (Double, Double), _ r: (Double, Double), _ printed: [String]) -> PaperRow {
        PaperRow(dice: d, iou: i, assd: a, ravd: r, printed: printed)
    }

    /// Every known method. The paper's numbers are those of its Table 1 (docs/methods.md).
    public static let all: [MethodInfo] = [
        MethodInfo(name: "fs-lcs", label: "FS-LCS", figureLabel: "FS-LCS", role: .baseline, capability: nil, colour: (0, 200, 255),
                   paper: paper((63.4, 18.6), (48.6, 16.9), (5.08, 3.24), (0.3, 0.66), ["63.4 ± 18.6", "48.6 ± 16.9", "5.08 ± 3.24", "0.3 ± 0.66"])),
        MethodInfo(name: "mt", label: "MT", figureLabel: "MT", role: .baseline, capability: nil, colour: (255, 120, 0),
                   paper: paper((73.1, 11.6), (58.9, 13.4), (5.76, 5.40), (0.041, 0.38), ["73.1 ± 11.6", "58.9 ± 13.4", "5.76 ± 5.40", "0.041 ± 0.38"])),
        MethodInfo(name: "mt-separate-bn", label: "MT, separate BN passes (ablation)", figureLabel: "MT SEP-BN", role: .ablation, capability: nil,
                   colour: (255, 190, 120), paper: nil),
        MethodInfo(name: "mt-no-consistency", label: "MT, consistency weight 0 (ablation)", figureLabel: "MT NO-CONS", role: .ablation, capability: nil,
                   colour: (200, 90, 0), paper: nil),
        MethodInfo(name: "ict", label: "ICT", figureLabel: "ICT", role: .baseline, capability: nil, colour: (255, 0, 255),
                   paper: paper((74.6, 9.2), (60.3, 11.2), (4.92, 5.38), (0.026, 0.32), ["74.6 ± 9.2", "60.3 ± 11.2", "4.92 ± 5.38", "0.026 ± 0.32"])),
        MethodInfo(name: "dct-seg", label: "DCT-Seg", figureLabel: "DCT-SEG", role: .baseline, capability: nil, colour: (60, 120, 255),
                   paper: paper((70.8, 12.1), (56.0, 13.5), (8.06, 7.95), (0.357, 0.51), ["70.8 ± 12.1", "56.0 ± 13.5", "8.06 ± 7.95", "0.357 ± 0.51"])),
        MethodInfo(name: "ua-mt", label: "UA-MT", figureLabel: "UA-MT", role: .baseline, capability: nil, colour: (160, 255, 60),
                   paper: paper((74.0, 9.5), (59.5, 11.3), (5.36, 5.52), (0.089, 0.29), ["74.0 ± 9.5", "59.5 ± 11.3", "5.36 ± 5.52", "0.089 ± 0.29"])),
        MethodInfo(name: "ours", label: "Ours", figureLabel: "OURS", role: .ours, capability: nil, colour: (255, 30, 30),
                   paper: paper((81.0, 6.8), (68.6, 8.9), (2.35, 1), (0.08, 0.22), ["81.0 ± 6.8", "68.6 ± 8.9", "2.35 ± 1", "0.08 ± 0.22"])),
        MethodInfo(name: "ours-semi-only", label: "Ours, y_SEMI only (ablation)", figureLabel: "SEMI ONLY", role: .ablation, capability: nil, colour: (255, 150, 150), paper: nil),
        MethodInfo(name: "ours-ssl-only", label: "Ours, y_SSL only (ablation)", figureLabel: "SSL ONLY", role: .ablation, capability: nil, colour: (0, 255, 170), paper: nil),
        MethodInfo(name: "ours-union", label: "Ours, y_SEMI OR y_SSL (ablation)", figureLabel: "UNION", role: .ablation, capability: nil, colour: (170, 110, 255), paper: nil),
        MethodInfo(name: "fs-dense", label: "FS-Dense upper bound (reference)", figureLabel: "FS-DENSE", role: .reference,
                   capability: "reads all training masks", colour: (255, 255, 255), paper: nil),
    ]

    /// The reference contour's colour in the figure.
    public static let referenceColour: (UInt8, UInt8, UInt8) = (255, 230, 0)

    /// The catalogue entry for `name`; unknown names get an "other" entry.
    public static func info(_ name: String) -> MethodInfo {
        if let known = all.first(where: { $0.name == name }) { return known }
        return MethodInfo(name: name, label: name, figureLabel: name.uppercased(), role: .other, capability: nil, colour: (180, 180, 180), paper: nil)
    }

    /// The position of `name` in the table: known methods first, in catalogue order.
    public static func rank(_ name: String) -> Int {
        all.firstIndex(where: { $0.name == name }) ?? all.count
    }
}
