import Foundation
import Jobs
import XCTest
@testable import Runner

/// Endpoints, path validation of settings, key files and authorised keys.
final class SecurityTests: XCTestCase {
    func testLoopbackEndpoints() {
        for endpoint in ["tcp://127.0.0.1:5555", "tcp://127.1.2.3:*", "tcp://localhost:80", "tcp://[::1]:5555", "ipc:///tmp/x", "inproc://a"] {
            XCTAssertTrue(Endpoint.isLoopback(endpoint), endpoint)
        }
        for endpoint in ["tcp://0.0.0.0:5555", "tcp://*:5555", "tcp://10.0.0.7:5555", "tcp://eth0:5555", "tcp://[::]:5555", "tcp://127.0.0.1.evil:1"] {
            XCTAssertFalse(Endpoint.isLoopback(endpoint), endpoint)
        }
    }

    func testSettingsMayNotNamePathsOutsideTheRunDirectoryAndDataset() {
        let validator = SettingsValidator(allowedRoots: ["/runs/table1", "/data/prostate"])
        func check(_ value: JSONValue) -> Bool {
            (try? validator.validate(JobSpec(id: "j", method: "m", fold: 0, seed: 0, settings: ["nested": ["file": value]]))) != nil
        }
        XCTAssertTrue(check("checkpoints/epoch3.h5"))
        XCTAssertTrue(check("a/../b"))
        XCTAssertTrue(check("/data/prostate/case01.mhd"))
        XCTAssertTrue(check("/runs/table1"))
        XCTAssertTrue(check("Adam"), "plain words are not paths")
        XCTAssertFalse(check("../elsewhere"))
        XCTAssertFalse(check("a/../../b"))
        XCTAssertFalse(check("/etc/passwd"))
        XCTAssertFalse(check("/data/prostate-other/x"), "a sibling with the same prefix is outside")
        XCTAssertFalse(check("/data/prostate/../../etc"))
        XCTAssertFalse(check("~/secrets"))
        XCTAssertThrowsError(try validator.validate(JobSpec(id: "j7", method: "m", fold: 0, seed: 0, settings: ["paths": ["ok/x", "/etc/x"]]))) { error in
            XCTAssertTrue("\(error)".contains("j7") && "\(error)".contains("paths[1]"), "\(error)")
        }
    }

    func testGeneratedKeysLoadBackAndAreAuthorised() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try KeyFiles.generate(in: directory, names: ["coordinator", "worker", "node2"])
        XCTAssertEqual(written.count, 7)
        let coordinator = try KeyFiles.loadKeyPair(directory.appendingPathComponent("coordinator.key"))
        XCTAssertEqual(try KeyFiles.loadPublicKey(directory.appendingPathComponent("coordinator.pub")), coordinator.publicKey)
        let worker = try KeyFiles.loadKeyPair(directory.appendingPathComponent("worker.key"))
        let authorized = try AuthorizedKeys.load(directory.appendingPathComponent("authorized_keys"))
        XCTAssertEqual(authorized.names[worker.publicKey], "worker")
        XCTAssertEqual(authorized.names.count, 2, "the coordinator's own key is not a worker's")
        XCTAssertNil(authorized.names[coordinator.publicKey])
        let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("worker.key").path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        XCTAssertThrowsError(try KeyFiles.generate(in: directory, names: ["worker"]), "never overwrite a key")
    }

    func testABadAuthorisedKeysLineIsNamed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("authorized-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("# workers\n\nnot-a-key worker\n".utf8).write(to: url)
        XCTAssertThrowsError(try AuthorizedKeys.load(url)) { error in
            XCTAssertTrue("\(error)".contains(":3:"), "\(error)")
        }
    }
}
