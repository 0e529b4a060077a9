import LayerwiseMath
import XCTest

/// The value type's product and transpose against a direct sum.
final class MatrixTests: XCTestCase {
    func testProductTransposeAndEmptyShapes() {
        var rng = RandomGenerator(seed: 3)
        let a = Matrix(rows: 5, cols: 7, storage: (0..<35).map { _ in rng.normal() })
        let b = Matrix(rows: 7, cols: 4, storage: (0..<28).map { _ in rng.normal() })
        let c = a.matmul(b)
        for r in 0..<5 {
            for col in 0..<4 {
                let direct = (0..<7).reduce(Float(0)) { $0 + a[r, $1] * b[$1, col] }
                XCTAssertEqual(c[r, col], direct, accuracy: 1e-5)
            }
        }
        XCTAssertEqual(a.transposed.transposed, a)
        XCTAssertEqual(a.transposed[6, 4], a[4, 6])
        // Empty operands give a zero (or empty) result instead of touching a missing buffer.
        XCTAssertEqual(Matrix(rows: 0, cols: 7).matmul(b), Matrix(rows: 0, cols: 4))
        XCTAssertEqual(Matrix(rows: 3, cols: 0).matmul(Matrix(rows: 0, cols: 2)), Matrix(rows: 3, cols: 2))
    }
}
