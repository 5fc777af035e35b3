import ArgumentParser
import Datasets
import Foundation

/// `sparseseg data ...`: inspect images and datasets, import PROMISE12 or the Decathlon's
/// prostate task, generate the synthetic phantom, export a dataset as NIfTI files.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect, import, synthesise and export prostate MR datasets.",
        subcommands: [Inspect.self, Import.self, Synth.self, Export.self])
}

extension DataCommand {
    /// `sparseseg data synth`: the phantom.
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the synthetic T2 prostate phantom as a dataset file.")

        @Option(help: "The dataset file to write (.h5).")
        var out: String

        @Option(help: "Number of cases (case i comes from site i mod 4).")
        var cases = 50

        @Option(help: "Random seed: the same seed gives the same dataset.")
        var seed: UInt64 = 1

        @Option(help: "In-plane size S (S x S pixels per slice), 16 to 1024.")
        var size = 96

        @Option(help: "Also write a PNG montage of the first four cases here.")
        var montage: String?

        func run() throws {
            guard cases > 0 else { throw ValidationError("--cases must be positive, found \(cases)") }
            guard Importer.Settings.inPlaneSizes.contains(size) else {
                throw flagError("--size must be within \(Importer.Settings.inPlaneSizes), found \(size)")
            }
            let start = ContinuousClock.now
            let generated = Phantom.generate(PhantomSettings(cases: cases, seed: seed, inPlaneSize: size))
            let generation = ContinuousClock.now - start
            try DatasetFile.write(generated, source: "phantom", to: out)
            if let montage { try Montage.write(Array(generated.prefix(4)), to: montage) }
            let slices = generated.map(\.image.shape.nz)
            print("wrote \(out): \(cases) phantom cases of \(size) x \(size) x \(slices.min()!)-\(slices.max()!) slices (seed \(seed)), generated in \(DurationText.format(generation))")
        }
    }
}

extension DataCommand {
    /// `sparseseg data inspect FILE [--json]`.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe an image (.mhd, .mha, .nii, .nii.gz) or a dataset file (.h5).")

        @Argument(help: "The file to describe.")
        var file: String

        @Flag(help: "Print JSON: for an image the keys size, spacing, type, min, max, mean; for a dataset its cases.")
        var json = false

        @Option(help: "The volume of a 4D NIfTI file to describe.")
        var channel = 0

        @Option(help: "For a dataset: how the labelled slice is chosen, volume-middle (the paper's) or labelled-extent-middle.")
        var centralSlice = CentralSliceRule.volumeMiddle.rawValue

        @OptionGroup var imageLimits: ImageLimitOptions

        func run() throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            if file.lowercased().hasSuffix(".h5") {
                guard let rule = CentralSliceRule(rawValue: centralSlice) else {
                    throw ValidationError("--central-slice must be one of \(CentralSliceRule.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let dataset = try Dataset(contentsOf: file, rule: rule)
                let cases = dataset.cases.map(CaseSummary.init)
                if json {
                    print(String(decoding: try encoder.encode(cases), as: UTF8.self))
                    return
                }
                print("\(file): \(dataset.source) dataset, \(counted(cases.count, "case"))")
                for c in cases {
                    let spacing = c.spacing.map { String(format: "%.3f", $0) }.joined(separator: " x ")
                    let original = c.originalSize.map(String.init).joined(separator: " x ")
                    print("  \(c.id)  site \(c.site)  size \(c.size.map(String.init).joined(separator: " x "))  spacing \(spacing) mm  original \(original)  central slice \(c.centralSlice)")
                }
                return
            }
            let summary = ImageSummary(try ImageIO.read(file, channel: channel, limits: imageLimits.limits))
            if json {
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
                return
            }
            print("\(file)")
            print("  size     \(summary.size.map(String.init).joined(separator: " x "))")
            print("  spacing  \(summary.spacing.map { String(format: "%g", $0) }.joined(separator: " x ")) mm")
            print("  type     \(summary.type)")
            print("  min \(summary.min)  max \(summary.max)  mean \(summary.mean)")
        }
    }

    /// `sparseseg data import promise12|decathlon DIR --out FILE.h5`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a prostate MR dataset into a dataset file.",
            subcommands: [Promise12.self, Decathlon.self])
    }

    /// The options both importers share.
    struct ImportOptions: ParsableArguments {
        @Argument(help: "The dataset's directory.")
        var directory: String

        @Option(help: "The dataset file to write (.h5).")
        var out: String

        @Option(help: "In-plane size S of the stored slices (S x S), 16 to 1024.")
        var size = 256

        @OptionGroup var imageLimits: ImageLimitOptions

        func validate() throws {
            guard Importer.Settings.inPlaneSizes.contains(size) else {
                throw flagError("--size must be within \(Importer.Settings.inPlaneSizes), found \(size)")
            }
        }

        /// The preprocessing of every imported case.
        var settings: Importer.Settings { Importer.Settings(inPlaneSize: size, limits: imageLimits.limits) }

        func write(_ cases: [StoredCase], source: String) throws {
            try DatasetFile.write(cases, source: source, to: out)
            print("wrote \(out): \(cases.count) \(source) cases, slices resampled to \(size) x \(size)")
        }
    }

    struct Promise12: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "PROMISE12: CaseNN.mhd with CaseNN_segmentation.mhd (sites from sites.csv if present).")

        @OptionGroup var options: ImportOptions

        func run() throws {
            try options.write(try Importer.promise12(options.directory, settings: options.settings), source: "promise12")
        }
    }

    struct Decathlon: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Medical Segmentation Decathlon Task05_Prostate: imagesTr/ and labelsTr/ (channel 0, labels 1+2).")

        @OptionGroup var options: ImportOptions

        func run() throws {
            try options.write(try Importer.decathlon(options.directory, settings: options.settings), source: "decathlon")
        }
    }
}

extension DataCommand {
    /// `sparseseg data export DATASET.h5 --nnunet DIR | --nifti DIR [--force]`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a dataset file's cases as NIfTI: nnU-Net v2's raw layout, or folders for ITK-SNAP and nibabel.",
            discussion: """
                --nnunet DIR: imagesTr/<case>_0000.nii.gz, labelsTr/<case>.nii.gz and dataset.json (name DIR \
                DatasetNNN_Name under nnUNet_raw). --nifti DIR: images/, labels/ (the stored grid) and \
                labels_original/ (the grid predictions are scored on). A directory that holds anything is \
                refused unless --force, which replaces files of the same name and leaves the others.
                """)

        @Argument(help: "The dataset file (.h5).")
        var dataset: String

        @Option(help: "Write nnU-Net v2's raw layout here.")
        var nnunet: String?

        @Option(help: "Write images/, labels/ and labels_original/ here.")
        var nifti: String?

        @Flag(help: "Write into a directory that is not empty, replacing files of the same name.")
        var force = false

        func run() throws {
            // Here rather than in validate(), which `sparseseg help data export` also calls.
            guard nnunet != nil || nifti != nil else { throw flagError("--nnunet or --nifti: name the directory to export to") }
            guard nnunet == nil || nnunet != nifti else { throw flagError("--nnunet and --nifti name the same directory, \(nifti!)") }
            let (header, cases) = try DatasetFile.read(dataset)
            for (layout, directory) in [(DatasetExport.Layout.nnUNet, nnunet), (.nifti, nifti)] {
                guard let directory else { continue }
                let files = try DatasetExport.write(cases, source: dataset, layout: layout, to: directory, force: force)
                print("wrote \(directory): \(counted(cases.count, "\(header.source) case")) as \(layout == .nnUNet ? "nnU-Net v2 raw data" : "NIfTI"), \(counted(files.count, "file"))")
            }
        }
    }
}
