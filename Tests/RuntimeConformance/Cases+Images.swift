import ZCCore

extension RuntimeConformance {
    static let imageCases: [RuntimeConformanceCase] = [
        RuntimeConformanceCase("an image is pinned by digest, a pin again is itself, a missing one is imageNotFound") {
            subject in
            let runtime = subject.runtime
            let pinned = try await runtime.pinImage(subject.image)
            try await require(pinned.contains("@sha256:"), "pinned by digest: \(pinned)")
            try await require(try await runtime.pinImage(pinned) == pinned, "a pin pinned again is itself")
            do {
                _ = try await runtime.pinImage(subject.missingImage)
                throw RuntimeConformanceFailure("\(subject.missingImage) was pinned")
            } catch let error as ContainerRuntimeError {
                switch error {
                case .imageNotFound, .failed: break
                default: throw RuntimeConformanceFailure("\(subject.missingImage): \(error)")
                }
            }
            // An agent made from the pin runs.
            var spec = try subject.makeSpec([:])
            spec.image = pinned
            let id = try await runtime.create(spec)
            try await runtime.start(id)
            try await require(try await runtime.inspect(id)?.state == .running, "made from its pin, it runs")
            try await runtime.remove(id, force: true)
        }
    ]
}
