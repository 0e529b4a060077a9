import XCTest
final class LayerwiseTestsSmoke: XCTestCase { func testNothingYet() {} }
