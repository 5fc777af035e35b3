import Foundation
import XCTest

/// `sparseseg data synth` and `data export` as a user runs them.
final class DataCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    /// The generation time used to be printed as Swift's Duration prints itself,
    /// "generated in 0.543702304 seconds".
    func testSynthSaysHowLongItTookInSecondsWithTwoDecimals() throws {
        let out = directory.appendingPathComponent("phantom.h5").path
        let (status, output) = try runToCompletion(SmokeRunTests.executable, ["data", "synth", "--out", out, "--cases", "2", "--size", "32"],
                                                   timeout: .seconds(60))
        XCTAssertEqual(status, 0, output)
        let line = try XCTUnwrap(output.split(separator: "\n").first.map(String.init))
        XCTAssertTrue(line.hasPrefix("wrote \(out): 2 phantom cases of 32 x 32 x "), line)
        XCTAssertNotNil(line.range(of: #", generated in [0-9]\.[0-9]{2} s$"#, options: .regularExpression), line)
    }

    /// A phantom exported for nnU-Net and as NIfTI folders; a second export into the same
    /// directory is refused with one line (exit 1) unless --force; no directory is a usage error.
    func testExportWritesBothLayoutsAndRefusesANonEmptyDirectory() throws {
        let dataset = directory.appendingPathComponent("phantom.h5").path
        let synth = try runToCompletion(SmokeRunTests.executable, ["data", "synth", "--out", dataset, "--cases", "2", "--size", "16"], timeout: .seconds(60))
        XCTAssertEqual(synth.status, 0, synth.output)
        let nnunet = directory.appendingPathComponent("Dataset501_Phantom").path, nifti = directory.appendingPathComponent("nifti").path
        let export = ["data", "export", dataset, "--nnunet", nnunet, "--nifti", nifti]
        let (status, output) = try runToCompletion(SmokeRunTests.executable, export, timeout: .seconds(60))
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.split(separator: "\n").map(String.init), [
            "wrote \(nnunet): 2 phantom cases as nnU-Net v2 raw data, 5 files",
            "wrote \(nifti): 2 phantom cases as NIfTI, 6 files",
        ])
        for path in ["\(nnunet)/dataset.json", "\(nnunet)/imagesTr/Case00_0000.nii.gz", "\(nnunet)/labelsTr/Case01.nii.gz",
                     "\(nifti)/images/Case00.nii.gz", "\(nifti)/labels/Case01.nii.gz", "\(nifti)/labels_original/Case01.nii.gz"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), path)
        }

        let again = try runToCompletion(SmokeRunTests.executable, export, timeout: .seconds(60))
        XCTAssertEqual(again.status, 1, again.output)
        XCTAssertEqual(again.output.split(separator: "\n").map(String.init), ["Error: \(nnunet): is not empty (3 entries); choose a new directory, or --force to overwrite"])
        let forced = try runToCompletion(SmokeRunTests.executable, export + ["--force"], timeout: .seconds(60))
        XCTAssertEqual(forced.status, 0, forced.output)

        let missing = try runToCompletion(SmokeRunTests.executable, ["data", "export", dataset], timeout: .seconds(60))
        XCTAssertEqual(missing.status, 64, missing.output)
        XCTAssertEqual(missing.output.split(separator: "\n").count, 1, missing.output)
        let help = try runToCompletion(SmokeRunTests.executable, ["help", "data", "export"], timeout: .seconds(60))
        XCTAssertEqual(help.status, 0, help.output)
        XCTAssertTrue(help.output.contains("--nnunet") && !help.output.contains("Error"), help.output)
        let notADataset = try runToCompletion(SmokeRunTests.executable, ["data", "export", nnunet + "/dataset.json", "--nifti", nifti + "2"], timeout: .seconds(60))
        XCTAssertEqual(notADataset.status, 1, notADataset.output)
        XCTAssertTrue(notADataset.output.hasPrefix("Error: \(nnunet)/dataset.json"), notADataset.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: nifti + "2"), "nothing written for a bad dataset")
    }
}
