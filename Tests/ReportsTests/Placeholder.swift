import XCTest

// Tests for the Reports module arrive with it.
