import DirectoryObjects
import Foundation
import ObjectStoreConformance
import Testing
import ZCCore

/// The shared object store conformance suite, unchanged, on a directory of the local disk.
@Suite("Object store conformance: directory")
struct DirectoryConformanceTests {
    @Test(arguments: ObjectStoreConformance.cases)
    func conformance(_ behaviour: ObjectStoreConformanceCase) async throws {
        try await behaviour.run {
            let root = NSTemporaryDirectory() + "zc-objects-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
            return ObjectStoreUnderTest(store: try DirectoryObjectStore(root: root)) {
                try? FileManager.default.removeItem(atPath: root)
            }
        }
    }
}
