import XCTest

// Tests for the TrainingCore module arrive with it.
