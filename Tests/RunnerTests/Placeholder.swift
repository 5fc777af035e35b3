import XCTest

// Tests for the Runner module arrive with it.
