import XCTest

// Tests for the Datasets module arrive with it.
