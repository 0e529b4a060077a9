import LayerwiseMath
import XCTest
@testable import LayerwiseNN

/// The one parameter store every model keeps its weights in: layout, optimizer groups,
/// freezing and the L2 weight decay.
final class ParameterStoreTests: XCTestCase {
    /// Two groups of a kernel and a bias each: [3, 2], [1, 2] | [2, 2], [1, 2].
    func makeStore(decay: Float) -> ParameterStore {
        let weights = Weights(shapes: [(3, 2), (1, 2), (2, 2), (1, 2)])
        let store = ParameterStore(
            weights, groups: [0..<2, 2..<4], decayed: [0, 2],
            optimizer: .sgd(learningRate: 0.5, momentum: 0, nesterov: false), weightDecay: decay)
        var rng = RandomGenerator(seed: 1)
        store.parameterValues = (0..<weights.count).map { _ in rng.normal() }
        return store
    }

    func testLayout() {
        let store = makeStore(decay: 0)
        XCTAssertEqual(store.weights.tensors.map(\.offset), [0, 6, 8, 12])
        XCTAssertEqual(store.weights.count, 14)
        let p = store.parameterValues
        XCTAssertEqual(store.weights.matrix(2), Matrix(rows: 2, cols: 2, storage: Array(p[8..<12])))
        store.weights.set(1, [7, 8])
        XCTAssertEqual(Array(store.parameterValues[6..<8]), [7, 8])
    }

    /// λ/2·‖W‖² over the kernels of the trainable groups, λ·W added to their gradients,
    /// biases and frozen groups untouched.
    func testWeightDecayValueAndGradient() {
        let lambda: Float = 0.3
        let store = makeStore(decay: lambda)
        let p = store.parameterValues
        var total = 0.0
        store.addWeightDecay(to: &total)
        let kernels = Array(p[0..<6]) + Array(p[8..<12])
        let expected = kernels.reduce(0.0) { $0 + Double($1) * Double($1) } * Double(lambda) / 2
        XCTAssertEqual(total, expected, accuracy: 1e-6 * expected)
        var want = [Float](repeating: 0, count: 14)
        for i in Array(0..<6) + Array(8..<12) { want[i] = lambda * p[i] }
        XCTAssertEqual(store.gradientValues, want)

        let frozen = makeStore(decay: lambda)
        frozen.setFrozen(0, true)
        var partial = 0.0
        frozen.addWeightDecay(to: &partial)
        let second = Array(p[8..<12]).reduce(0.0) { $0 + Double($1) * Double($1) } * Double(lambda) / 2
        XCTAssertEqual(partial, second, accuracy: 1e-6 * second)
        XCTAssertEqual(Array(frozen.gradientValues[0..<8]), [Float](repeating: 0, count: 8))

        let gradientOnly = makeStore(decay: lambda)
        gradientOnly.addWeightDecayGradients()
        XCTAssertEqual(gradientOnly.gradientValues, want)
        let none = makeStore(decay: 0)
        var zero = 0.0
        none.addWeightDecay(to: &zero)
        XCTAssertEqual(zero, 0)
        XCTAssertEqual(none.gradientValues, [Float](repeating: 0, count: 14))
    }

    /// An update moves the trainable groups from `lowest` up by −lr·g and leaves the rest byte-identical.
    func testUpdateSkipsFrozenAndLowerGroups() {
        for (frozenGroup, lowest) in [(nil, 0), (0, 0), (1, 0), (nil, 1)] as [(Int?, Int)] {
            let store = makeStore(decay: 0)
            if let frozenGroup { store.setFrozen(frozenGroup, true) }
            let before = store.parameterValues
            for i in 0..<14 { store.grads.pointer[i] = Float(i + 1) }
            store.update(from: lowest)
            let after = store.parameterValues
            for i in 0..<14 {
                let group = i < 8 ? 0 : 1
                let moves = group >= lowest && group != frozenGroup
                XCTAssertEqual(
                    after[i], moves ? before[i] - 0.5 * Float(i + 1) : before[i],
                    "frozen \(String(describing: frozenGroup)), from \(lowest), value \(i)")
            }
        }
        let store = makeStore(decay: 0)
        store.setFrozen(0, true)
        XCTAssertEqual(store.lowestTrainable, 1)
        store.setFrozen(1, true)
        XCTAssertEqual(store.lowestTrainable, 2)
    }
}
