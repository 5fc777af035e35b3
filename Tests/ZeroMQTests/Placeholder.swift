import XCTest

// Tests for the ZeroMQ module arrive with it.
