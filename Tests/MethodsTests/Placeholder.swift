import XCTest

// Tests for the Methods module arrive with it.
