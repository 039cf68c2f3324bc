import Glibc

extension DirectoryHandle {
    /// What `removeTree` did.
    public struct TreeRemoval: Sendable, Hashable {
        /// Entries removed (files, links, directories) and subtrees moved up.
        public var operations: Int
        /// The tree is gone; false when the budget ran out first (call again to go on).
        public var complete: Bool
    }

    /// Removes the entry `name` and everything under it without following any link, iteratively: at most
    /// `maxDepth` directories are open at once, and a subtree deeper than that is moved up to the top of
    /// the tree being removed (`renameat`) and removed by a later pass, so depth costs neither stack nor
    /// descriptors. Stops after `budget` operations; what is left stays inside `name`, whole, for the next
    /// call.
    public func removeTree(_ name: String, maxDepth: Int = 32, budget: Int = 1_000_000) throws -> TreeRemoval {
        guard let entry = entry(name) else { return TreeRemoval(operations: 0, complete: true) }
        guard entry.kind == .directory else {
            guard unlinkat(descriptor, name, 0) == 0 || errno == ENOENT else {
                throw TenantTreeFailure("remove", path: inside(name), hostPath: onHost(name))
            }
            return TreeRemoval(operations: 1, complete: true)
        }
        let top = try openDirectory(name)
        var operations = 0
        var moved = 0
        while operations < budget {
            let before = operations
            try Self.emptyPass(top, maxDepth: max(2, maxDepth), budget: budget, operations: &operations, moved: &moved)
            if unlinkat(descriptor, name, AT_REMOVEDIR) == 0 {
                return TreeRemoval(operations: operations + 1, complete: true)
            }
            // A pass that removed nothing will not do better the next time.
            guard errno == ENOTEMPTY || errno == EEXIST, operations > before else {
                throw TenantTreeFailure("remove", path: inside(name), hostPath: onHost(name))
            }
        }
        return TreeRemoval(operations: operations, complete: false)
    }

    /// One open directory of a removal pass, with its name in its parent.
    private struct Level {
        let descriptor: Int32
        let stream: OpaquePointer
        let name: [CChar]
    }

    /// One depth-first pass over `top`, unlinking what it can and moving too-deep subtrees up into `top`.
    private static func emptyPass(
        _ top: DirectoryHandle, maxDepth: Int, budget: Int, operations: inout Int, moved: inout Int
    ) throws {
        let copy = dup(top.descriptor)
        guard copy >= 0, let topStream = fdopendir(copy) else {
            throw TenantTreeFailure("list", path: top.path, hostPath: top.hostPath)
        }
        rewinddir(topStream)
        var stack = [Level(descriptor: copy, stream: topStream, name: [])]
        defer { for level in stack { closedir(level.stream) } }
        while let level = stack.last, operations < budget {
            guard let entry = readdir(level.stream) else {
                guard stack.count > 1 else { return }
                closedir(level.stream)
                stack.removeLast()
                // ENOTEMPTY: something appeared meanwhile; a later pass sees it from the top.
                if unlinkat(stack[stack.count - 1].descriptor, level.name, AT_REMOVEDIR) == 0 { operations += 1 }
                continue
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                Array(bytes.prefix(while: { $0 != 0 }).map { CChar(bitPattern: $0) }) + [0]
            }
            if name == [46, 0] || name == [46, 46, 0] { continue }
            var info = stat()
            guard fstatat(level.descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                if unlinkat(level.descriptor, name, 0) == 0 { operations += 1 }
                continue
            }
            if stack.count < maxDepth {
                let child = openat(level.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { continue }
                guard let stream = fdopendir(child) else {
                    close(child)
                    continue
                }
                stack.append(Level(descriptor: child, stream: stream, name: name))
            } else {
                // Too deep to open: the subtree moves up into the top and is removed by a later pass.
                for _ in 0..<16 {
                    moved += 1
                    if renameat(level.descriptor, name, top.descriptor, ".zcplatform-deep-\(moved)") == 0 {
                        operations += 1
                        break
                    }
                    guard errno == EEXIST || errno == ENOTEMPTY else { break }
                }
            }
        }
    }
}
