import Foundation
import Jobs

/// The wire protocol between coordinator and workers (docs/protocol.md). Each message is one
/// ZeroMQ frame: the magic "SPSG", one byte of protocol version, one byte of message type,
/// then a UTF-8 JSON body.
public enum WireProtocol {
    /// The protocol version this build speaks; frames of any other version are dropped.
    public static let version: UInt8 = 1
    /// The first four bytes of every frame.
    public static let magic: [UInt8] = Array("SPSG".utf8)
    /// Frames longer than this are dropped unread (results carry per-case rows, far smaller).
    public static let maximumFrameBytes = 4 << 20
}

/// A job as a worker claims it: which job and which attempt.
public struct JobClaim: Sendable, Hashable, Codable {
    /// The job id.
    public var job: String
    /// The attempt number, from 1.
    public var attempt: Int
    /// A claim on `attempt` of `job`.
    public init(job: String, attempt: Int) {
        self.job = job
        self.attempt = attempt
    }
}

/// Worker -> coordinator, first message on every connection.
public struct Hello: Sendable, Hashable, Codable {
    /// The sparseseg version of the worker, for the logs.
    public var software: String
    /// The worker's host name; with `pid`, "host:pid" names the worker.
    public var host: String
    /// The worker's process id.
    public var pid: Int32
    /// Threads the worker gives each job.
    public var threads: Int
    /// The job the worker is still running or holds a result for, after a reconnection.
    public var current: JobClaim?

    /// A hello.
    public init(software: String, host: String, pid: Int32, threads: Int, current: JobClaim?) {
        self.software = software
        self.host = host
        self.pid = pid
        self.threads = threads
        self.current = current
    }

    /// "host:pid".
    public var name: String { "\(host):\(pid)" }
}

/// Both ways, every heartbeat interval. From a worker it carries its job and progress.
public struct Heartbeat: Sendable, Hashable, Codable {
    /// The job the sender is running, if any.
    public var current: JobClaim?
    /// The job's latest progress.
    public var progress: JobProgress?
    /// A heartbeat; the coordinator's carries nothing.
    public init(current: JobClaim? = nil, progress: JobProgress? = nil) {
        self.current = current
        self.progress = progress
    }
}

/// Coordinator -> worker, the reply to hello: the heartbeat settings the worker must follow.
public struct Welcome: Sendable, Hashable, Codable {
    /// The heartbeat interval the worker must use.
    public var heartbeatMilliseconds: Int
    /// Silent intervals after which the worker reconnects.
    public var liveness: Int
    /// A welcome.
    public init(heartbeatMilliseconds: Int, liveness: Int) {
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.liveness = liveness
    }
}

/// Coordinator -> worker: run this job.
public struct Assignment: Sendable, Hashable, Codable {
    /// The job to run.
    public var job: JobSpec
    /// The attempt number, from 1.
    public var attempt: Int
    /// The coordinator's run directory; a worker sharing the file system (NFS) works in
    /// `runDirectory/jobs/<id>` so that a retried job finds its checkpoints.
    public var runDirectory: String
    /// The dataset directories job settings may name besides the run directory.
    public var datasetDirectories: [String]

    /// An assignment.
    public init(job: JobSpec, attempt: Int, runDirectory: String, datasetDirectories: [String] = []) {
        self.job = job
        self.attempt = attempt
        self.runDirectory = runDirectory
        self.datasetDirectories = datasetDirectories
    }
}

/// Worker -> coordinator: a job finished.
public struct ResultMessage: Sendable, Hashable, Codable {
    /// The job and attempt concerned.
    public var claim: JobClaim
    /// What the job produced.
    public var output: JobOutput
    /// Start of the job on the worker, seconds since 1970.
    public var startedAt: Double
    /// End of the job on the worker, seconds since 1970.
    public var finishedAt: Double
    /// The worker's name (host:pid) and host, so that a result arriving on a connection the
    /// coordinator does not know yet still names its worker.
    public var worker: String
    /// The worker's host.
    public var host: String

    /// A result.
    public init(claim: JobClaim, output: JobOutput, startedAt: Double, finishedAt: Double, worker: String, host: String) {
        self.claim = claim
        self.output = output
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.worker = worker
        self.host = host
    }
}

/// Worker -> coordinator: a job failed (the executor threw) or was abandoned (the worker is
/// stopping; the job is requeued at once and the attempt does not count as a failure).
public struct FailureMessage: Sendable, Hashable, Codable {
    /// The job and attempt concerned.
    public var claim: JobClaim
    /// Why, for people.
    public var reason: String
    /// True when the worker is stopping (the attempt does not count).
    public var abandoned: Bool

    /// A failure report.
    public init(claim: JobClaim, reason: String, abandoned: Bool) {
        self.claim = claim
        self.reason = reason
        self.abandoned = abandoned
    }
}

/// Coordinator -> worker: the coordinator holds the result or failure of this claim; the
/// worker may forget it. `accepted` is false when it was late or a duplicate.
public struct Ack: Sendable, Hashable, Codable {
    /// The job and attempt concerned.
    public var claim: JobClaim
    /// Whether the outcome was recorded (false: late or duplicate).
    public var accepted: Bool
    /// An acknowledgement.
    public init(claim: JobClaim, accepted: Bool) {
        self.claim = claim
        self.accepted = accepted
    }
}

/// Coordinator -> worker: stop working on this claim (it was given to another worker).
public struct Cancel: Sendable, Hashable, Codable {
    /// The job and attempt concerned.
    public var claim: JobClaim
    /// Why, for people.
    public var reason: String
    /// A cancellation.
    public init(claim: JobClaim, reason: String) {
        self.claim = claim
        self.reason = reason
    }
}

/// A plain reason, for shutdown.
public struct Reason: Sendable, Hashable, Codable {
    /// Why, for people.
    public var reason: String
    /// A reason.
    public init(_ reason: String) { self.reason = reason }
}

/// Nothing; the body of bodiless messages.
public struct Empty: Sendable, Hashable, Codable {
    /// Nothing.
    public init() {}
}

/// Every message of the protocol.
public enum WireMessage: Sendable, Hashable {
    // Worker -> coordinator.
    case hello(Hello)
    case result(ResultMessage)
    case failure(FailureMessage)
    case goodbye
    /// From a status client (any DEALER), answered with ``status(_:)``.
    case statusRequest
    // Both ways.
    case heartbeat(Heartbeat)
    // Coordinator -> worker.
    case welcome(Welcome)
    case assign(Assignment)
    case ack(Ack)
    case cancel(Cancel)
    /// The coordinator does not know the sender (it restarted): say hello again.
    case rehello
    case shutdown(Reason)
    case status(RunStatus)

    /// The type byte on the wire.
    var typeCode: UInt8 {
        switch self {
        case .hello: 1
        case .result: 2
        case .failure: 3
        case .goodbye: 4
        case .statusRequest: 5
        case .heartbeat: 6
        case .welcome: 16
        case .assign: 17
        case .ack: 18
        case .cancel: 19
        case .rehello: 20
        case .shutdown: 21
        case .status: 22
        }
    }

    /// A short name for logs.
    public var name: String {
        switch self {
        case .hello: "hello"
        case .result: "result"
        case .failure: "failure"
        case .goodbye: "goodbye"
        case .statusRequest: "status-request"
        case .heartbeat: "heartbeat"
        case .welcome: "welcome"
        case .assign: "assign"
        case .ack: "ack"
        case .cancel: "cancel"
        case .rehello: "rehello"
        case .shutdown: "shutdown"
        case .status: "status"
        }
    }
}

/// Why a frame was dropped.
public enum WireError: Error, Equatable, CustomStringConvertible, Sendable {
    case tooShort(Int)
    case badMagic
    case unsupportedVersion(UInt8)
    case unknownType(UInt8)
    case oversized(Int)
    case malformedBody(type: UInt8, detail: String)
    /// A message of several frames where the protocol has one.
    case wrongFrameCount(Int)

    public var description: String {
        switch self {
        case .tooShort(let count): "frame of \(count) bytes is shorter than the 6-byte header"
        case .badMagic: "frame does not start with SPSG"
        case .unsupportedVersion(let version): "protocol version \(version) (this build speaks \(WireProtocol.version))"
        case .unknownType(let type): "unknown message type \(type)"
        case .oversized(let count): "frame of \(count) bytes exceeds \(WireProtocol.maximumFrameBytes)"
        case .malformedBody(let type, let detail): "malformed body of message type \(type): \(detail)"
        case .wrongFrameCount(let count): "message of \(count) frames (the protocol sends one)"
        }
    }
}

/// Encodes and decodes ``WireMessage`` frames. Holds a JSON encoder and decoder, so give
/// each thread its own codec.
public struct WireCodec {
    private let encoder = { () -> JSONEncoder in
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }()
    private let decoder = JSONDecoder()

    /// A codec.
    public init() {}

    /// The frame for `message`.
    public func encode(_ message: WireMessage) throws -> [UInt8] {
        let body: Data
        switch message {
        case .hello(let value): body = try encoder.encode(value)
        case .result(let value): body = try encoder.encode(value)
        case .failure(let value): body = try encoder.encode(value)
        case .heartbeat(let value): body = try encoder.encode(value)
        case .welcome(let value): body = try encoder.encode(value)
        case .assign(let value): body = try encoder.encode(value)
        case .ack(let value): body = try encoder.encode(value)
        case .cancel(let value): body = try encoder.encode(value)
        case .shutdown(let value): body = try encoder.encode(value)
        case .status(let value): body = try encoder.encode(value)
        case .goodbye, .statusRequest, .rehello: body = Data("{}".utf8)
        }
        var frame = WireProtocol.magic
        frame.reserveCapacity(6 + body.count)
        frame.append(WireProtocol.version)
        frame.append(message.typeCode)
        frame.append(contentsOf: body)
        return frame
    }

    /// The message in `frame`, or the reason it is not one.
    public func decode(_ frame: [UInt8]) throws(WireError) -> WireMessage {
        guard frame.count <= WireProtocol.maximumFrameBytes else { throw .oversized(frame.count) }
        guard frame.count >= 6 else { throw .tooShort(frame.count) }
        guard frame[0..<4].elementsEqual(WireProtocol.magic) else { throw .badMagic }
        guard frame[4] == WireProtocol.version else { throw .unsupportedVersion(frame[4]) }
        let type = frame[5]
        let body = Data(frame[6...])
        do {
            switch type {
            case 1: return .hello(try decoder.decode(Hello.self, from: body))
            case 2: return .result(try decoder.decode(ResultMessage.self, from: body))
            case 3: return .failure(try decoder.decode(FailureMessage.self, from: body))
            case 4: _ = try decoder.decode(Empty.self, from: body); return .goodbye
            case 5: _ = try decoder.decode(Empty.self, from: body); return .statusRequest
            case 6: return .heartbeat(try decoder.decode(Heartbeat.self, from: body))
            case 16: return .welcome(try decoder.decode(Welcome.self, from: body))
            case 17: return .assign(try decoder.decode(Assignment.self, from: body))
            case 18: return .ack(try decoder.decode(Ack.self, from: body))
            case 19: return .cancel(try decoder.decode(Cancel.self, from: body))
            case 20: _ = try decoder.decode(Empty.self, from: body); return .rehello
            case 21: return .shutdown(try decoder.decode(Reason.self, from: body))
            case 22: return .status(try decoder.decode(RunStatus.self, from: body))
            default: throw WireError.unknownType(type)
            }
        } catch let error as WireError {
            throw error
        } catch {
            throw .malformedBody(type: type, detail: JobsFile.describe(error))
        }
    }
}

/// A run's state as `sparseseg status` and the live view show it.
public struct RunStatus: Sendable, Hashable, Codable {
    /// Every job, in scheduling order.
    public var jobs: [JobStatus]
    /// The connected workers.
    public var workers: [WorkerStatus]

    /// A status.
    public init(jobs: [JobStatus], workers: [WorkerStatus]) {
        self.jobs = jobs
        self.workers = workers
    }

    /// How many jobs are in `state`.
    public func count(_ state: JobState) -> Int { jobs.count { $0.state == state } }
}

/// Where a job stands.
public enum JobState: String, Sendable, Hashable, Codable {
    case queued, running, done, failed
    /// Running when the coordinator stopped; waiting for its worker to reclaim it.
    case orphaned
}

/// One job in a ``RunStatus``.
public struct JobStatus: Sendable, Hashable, Codable {
    /// The job id.
    public var id: String
    /// The job's method.
    public var method: String
    /// The job's fold.
    public var fold: Int
    /// Where the job stands.
    public var state: JobState
    /// The current (or last) attempt, 0 before the first.
    public var attempt: Int
    /// The worker running it, or the one that finished it.
    public var worker: String?
    /// The job's latest progress.
    public var progress: JobProgress?
    /// Why earlier attempts failed.
    public var failures: [String]
    /// Seconds since the current attempt started, while running.
    public var runningSeconds: Double?

    /// A job's status.
    public init(id: String, method: String, fold: Int, state: JobState, attempt: Int, worker: String?, progress: JobProgress?,
                failures: [String], runningSeconds: Double?) {
        self.id = id
        self.method = method
        self.fold = fold
        self.state = state
        self.attempt = attempt
        self.worker = worker
        self.progress = progress
        self.failures = failures
        self.runningSeconds = runningSeconds
    }
}

/// One connected worker in a ``RunStatus``.
public struct WorkerStatus: Sendable, Hashable, Codable {
    /// The worker's name, host:pid.
    public var name: String
    /// Threads per job.
    public var threads: Int
    /// The job it runs, if any.
    public var job: String?
    /// A worker's status.
    public init(name: String, threads: Int, job: String?) {
        self.name = name
        self.threads = threads
        self.job = job
    }
}
