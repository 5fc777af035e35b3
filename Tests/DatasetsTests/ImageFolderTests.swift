import Datasets
import Foundation
import XCTest

/// Folders of masks by case name, as `evaluate --predictions/--references` pairs them.
final class ImageFolderTests: XCTestCase {
    private func touch(_ directory: String, _ names: [String]) throws {
        for name in names { try Data([0]).write(to: URL(fileURLWithPath: directory + "/" + name)) }
    }

    func testCaseNamesDropTheImageSuffixInAnyCase() {
        XCTAssertEqual(ImageFolder.caseName(of: "Case01.nii.gz"), "Case01")
        XCTAssertEqual(ImageFolder.caseName(of: "Case01.NII"), "Case01")
        XCTAssertEqual(ImageFolder.caseName(of: "a.b.mha"), "a.b")
        XCTAssertEqual(ImageFolder.caseName(of: "x.mhd"), "x")
        for name in ["x.raw", "x.zraw", "summary.json", "._Case01.nii.gz", ".nii.gz", "nii.gz"] {
            XCTAssertNil(ImageFolder.caseName(of: name), name)
        }
    }

    func testListsImagesAndPassesOverEverythingElse() throws {
        let directory = try temporaryDirectory(self)
        try touch(directory, ["Case00.nii.gz", "Case01.mhd", "Case01.raw", "._Case02.nii.gz", ".Case03.nii.gz.tmp-12", "notes.txt"])
        try FileManager.default.createDirectory(atPath: directory + "/Case04.nii", withIntermediateDirectories: false)
        let folder = try ImageFolder(directory)
        XCTAssertEqual(folder.caseNames, ["Case00", "Case01"])
        XCTAssertEqual(folder.files["Case01"], directory + "/Case01.mhd")
    }

    /// a.nii beside a.nii.gz: which one was meant cannot be told, so neither is taken.
    func testTwoFilesOfOneCaseAreRefusedNamingBoth() throws {
        let directory = try temporaryDirectory(self)
        try touch(directory, ["a.nii", "a.nii.gz", "b.nii.gz"])
        XCTAssertThrowsError(try ImageFolder(directory)) { error in
            let text = "\(error)"
            XCTAssertEqual((error as? DataError)?.file, directory + "/a.nii", text)
            XCTAssertTrue(text.contains("case a has 2 files") && text.contains("a.nii, a.nii.gz"), text)
        }
    }

    func testEmptyMissingAndFileInsteadOfFolderAreDataErrors() throws {
        let directory = try temporaryDirectory(self)
        try touch(directory, ["readme.txt"])
        let cases: [(String, String)] = [
            (directory, "holds no image file"), (directory + "/nope", "no such directory"), (directory + "/readme.txt", "not a directory"),
        ]
        for (path, message) in cases {
            XCTAssertThrowsError(try ImageFolder(path)) { error in
                XCTAssertEqual((error as? DataError)?.file, path)
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }
}
