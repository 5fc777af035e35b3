import XCTest

// Tests for the Metrics module arrive with it.
