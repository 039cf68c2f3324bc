import Foundation
import TestSupport
import Testing
import ZCCore

@testable import ResourceCollector

@Suite("Disk use of tenant directories")
struct DiskUsageTests {
    /// A tree with nested directories, a hard link, a symbolic link and an empty file.
    static func makeTree(_ root: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: "\(root)/a/b/c", withIntermediateDirectories: true)
        try Data(repeating: 1, count: 12_345).write(to: URL(fileURLWithPath: "\(root)/a/file1"))
        try Data(repeating: 2, count: 100_000).write(to: URL(fileURLWithPath: "\(root)/a/b/c/big"))
        try Data().write(to: URL(fileURLWithPath: "\(root)/empty"))
        try manager.linkItem(atPath: "\(root)/a/b/c/big", toPath: "\(root)/a/hardlink")
        try manager.createSymbolicLink(atPath: "\(root)/a/link", withDestinationPath: "/etc/passwd-not-followed")
    }

    @Test("the walk counts what `du -sb` counts")
    func matchesDu() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = directory.path + "/tenant"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Self.makeTree(root)
        let output = try await ChildProcess.output(["/usr/bin/du", "-sb", root]).stdoutText
        let du = Int64(output.split(separator: "\t").first ?? "")
        let walked = DirectoryWalker.apparentSize(of: root)
        #expect(du != nil)
        #expect(walked?.bytes == du, "walk \(String(describing: walked)) vs du \(String(describing: du))")
        #expect(DirectoryWalker.apparentSize(of: directory.path + "/missing") == nil)
    }

    @Test("walks are staggered: new tenants first, then the oldest figures, within the refresh period")
    func staggered() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ids = (0..<4).map { TenantID(trusted: "t\($0)x") }
        for id in ids {
            try FileManager.default.createDirectory(
                atPath: directory.path + "/" + id.rawValue, withIntermediateDirectories: true)
            try Data(repeating: 0, count: 1000).write(to: URL(fileURLWithPath: directory.path + "/\(id.rawValue)/f"))
        }
        let root = directory.path
        // A zero budget still walks one tenant per cycle, so every tenant gets measured in turn.
        let sampler = DiskUsageSampler(refresh: .seconds(3600), budget: .zero) { "\(root)/\($0.rawValue)" }
        var walked: [Int] = []
        var known: [Int] = []
        for _ in 0..<5 {
            let cycle = await sampler.sizes(of: ids)
            walked.append(cycle.walked)
            known.append(cycle.sizes.count)
        }
        #expect(walked == [1, 1, 1, 1, 0], "walked per cycle: \(walked)")
        #expect(known == [1, 2, 3, 4, 4], "figures known after each cycle: \(known)")
        let generous = DiskUsageSampler(refresh: .seconds(3600), budget: .seconds(5)) { "\(root)/\($0.rawValue)" }
        let first = await generous.sizes(of: ids)
        #expect(first.walked == 4)
        #expect(first.sizes.values.allSatisfy { $0 > 1000 })
        let second = await generous.sizes(of: ids)
        #expect(second.walked == 0, "measured within the refresh period: not walked again")
        #expect(second.sizes == first.sizes)
        let expired = DiskUsageSampler(refresh: .zero, budget: .seconds(5)) { "\(root)/\($0.rawValue)" }
        _ = await expired.sizes(of: ids)
        #expect(await expired.sizes(of: ids).walked == 4, "a zero refresh walks every cycle")
    }

    @Test("a tree 60,000 directories deep is walked without recursion, to the depth bound, and said to be partial")
    func deepTree() async throws {
        let directory = try TemporaryDirectory()
        try await directory.scoped {
            let root = directory.path + "/tenant"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            // Seconds of file system work: off the cooperative pool, which every other test shares.
            try await Blocking.run { try DeepTree.make(at: root, depth: 60_000) }
            let walked = try #require(DirectoryWalker.apparentSize(of: root, limits: .init(maxDepth: 64)))
            #expect(walked.cut == .depth)
            // The top, plus the 64 levels below it that the walk entered or counted.
            #expect(walked.entries == 65, "entries: \(walked.entries)")
            #expect(walked.bytes > 0)

            let shallow = directory.path + "/shallow"
            try FileManager.default.createDirectory(atPath: shallow, withIntermediateDirectories: true)
            try await Blocking.run { try DeepTree.make(at: shallow, depth: 200) }
            let whole = try #require(DirectoryWalker.apparentSize(of: shallow, limits: .init(maxDepth: 201)))
            #expect(whole.cut == nil && whole.entries == 201, "within the bound it walks it all: \(whole.entries)")
            let cut = try #require(DirectoryWalker.apparentSize(of: shallow, limits: .init(maxDepth: 200)))
            #expect(cut.cut == .depth && cut.entries == 201, "the deepest directory is counted, not entered")
        }
    }

    @Test("a walk stops after its entry bound and says so")
    func entryBound() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = directory.path + "/tenant"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for index in 0..<50 { try Data([1]).write(to: URL(fileURLWithPath: "\(root)/f\(index)")) }
        let cut = try #require(DirectoryWalker.apparentSize(of: root, limits: .init(maxEntries: 20)))
        #expect(cut.cut == .entries && cut.entries == 20)
        let whole = try #require(DirectoryWalker.apparentSize(of: root, limits: .init(maxEntries: 51)))
        #expect(whole.cut == nil && whole.entries == 51)
    }
}
