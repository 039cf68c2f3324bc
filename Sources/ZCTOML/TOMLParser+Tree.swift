/// A table under construction while parsing, remembering how it came to exist so that TOML's rules on
/// redefining tables can be enforced.
final class TOMLTableNode {
    /// How a table was created.
    enum Origin {
        /// The document's root table.
        case root
        /// Created as a parent of a header (`a` in `[a.b]`); a later `[a]` may still define it.
        case implicit
        /// Defined by its own `[header]` or as an element of `[[header]]`.
        case header
        /// Created by a dotted key (`a.b = 1` creates `a`), also inside inline tables.
        case dotted
    }

    /// One entry of a table under construction.
    enum Entry {
        /// A finished value: a scalar, a static array or an inline table (all immutable from here on).
        case value(TOMLValue)
        /// A table that later lines may still add to.
        case table(TOMLTableNode)
        /// An array of tables made by `[[header]]`s.
        case arrayOfTables(TOMLArrayOfTablesNode)
    }

    var origin: Origin
    /// The keys leading to this table from the document root (from the inline table, inside one); for messages.
    let path: [String]
    /// Nesting depth from the document root, bounded by `TOMLParser.maximumDepth`.
    let depth: Int
    private(set) var keys: [String] = []
    private(set) var entries: [String: Entry] = [:]

    init(origin: Origin, path: [String], depth: Int) {
        self.origin = origin
        self.path = path
        self.depth = depth
    }

    /// Adds a new key (the caller has checked it is absent).
    func add(_ entry: Entry, forKey key: String) {
        keys.append(key)
        entries[key] = entry
    }

    /// Freezes the node and everything under it into a value.
    func makeTable() -> TOMLTable {
        var table = TOMLTable()
        for key in keys {
            guard let entry = entries[key] else { continue }
            switch entry {
            case .value(let value):
                table.set(value, forKey: key)
            case .table(let node):
                table.set(.table(node.makeTable()), forKey: key)
            case .arrayOfTables(let array):
                table.set(.array(array.elements.map { .table($0.makeTable()) }), forKey: key)
            }
        }
        return table
    }
}

/// An array of tables under construction: `[[header]]` appends to it, other headers add to its last element.
final class TOMLArrayOfTablesNode {
    private(set) var elements: [TOMLTableNode]

    init(first: TOMLTableNode) {
        elements = [first]
    }

    func append(_ element: TOMLTableNode) {
        elements.append(element)
    }

    var last: TOMLTableNode {
        // Never empty: created with one element and only ever appended to.
        elements[elements.count - 1]
    }
}

extension TOMLParser {
    /// Stores `value` at the dotted `key` under `table`, creating intermediate tables as dotted-key tables.
    func insert(_ value: TOMLValue, at key: [TOMLKeyPart], into table: TOMLTableNode) throws(TOMLError) {
        var target = table
        for part in key.dropLast() {
            var name: String { TOMLParser.quotedPath(target.path + [part.name]) }
            switch target.entries[part.name] {
            case nil:
                let child = try makeNode(origin: .dotted, under: target, name: part.name, extraDepth: 1, at: part)
                target.add(.table(child), forKey: part.name)
                target = child
            case .table(let child):
                guard child.origin == .dotted else {
                    throw error(
                        "cannot add keys to table \(name) with dotted keys: it is defined by a table header",
                        at: part.offset)
                }
                target = child
            case .arrayOfTables:
                throw error("cannot add keys to array of tables \(name) with dotted keys", at: part.offset)
            case .value(let existing):
                throw notATable(existing, name: name, at: part)
            }
        }
        guard let last = key.last else { return }
        guard target.entries[last.name] == nil else {
            let location = table.path.isEmpty ? "" : " in table \(TOMLParser.quotedPath(table.path))"
            throw error("duplicate key \(TOMLParser.quotedPath(key.map(\.name)))\(location)", at: last.offset)
        }
        target.add(.value(value), forKey: last.name)
    }

    /// Applies a `[key]` (or `[[key]]` when `isArray`) header and returns the table it opens.
    func openTable(
        at key: [TOMLKeyPart], isArray: Bool, root: TOMLTableNode, headerStart: Int
    ) throws(TOMLError)
        -> TOMLTableNode
    {
        var parent = root
        for part in key.dropLast() {
            switch parent.entries[part.name] {
            case nil:
                let child = try makeNode(origin: .implicit, under: parent, name: part.name, extraDepth: 1, at: part)
                parent.add(.table(child), forKey: part.name)
                parent = child
            case .table(let child):
                parent = child
            case .arrayOfTables(let array):
                parent = array.last
            case .value(let existing):
                throw notATable(existing, name: TOMLParser.quotedPath(parent.path + [part.name]), at: part)
            }
        }
        guard let last = key.last else { throw error("a table header needs a key", at: headerStart) }
        let name = TOMLParser.quotedPath(key.map(\.name))
        if isArray {
            switch parent.entries[last.name] {
            case nil:
                let element = try makeNode(origin: .header, under: parent, name: last.name, extraDepth: 2, at: last)
                parent.add(.arrayOfTables(TOMLArrayOfTablesNode(first: element)), forKey: last.name)
                return element
            case .arrayOfTables(let array):
                let element = try makeNode(origin: .header, under: parent, name: last.name, extraDepth: 2, at: last)
                array.append(element)
                return element
            case .table:
                throw error(
                    "cannot define array of tables \(name): a table with that name already exists",
                    at: last.offset)
            case .value(.array):
                throw error("cannot append to static array \(name) with an array of tables header", at: last.offset)
            case .value(let existing):
                throw notATable(existing, name: name, at: last)
            }
        }
        switch parent.entries[last.name] {
        case nil:
            let table = try makeNode(origin: .header, under: parent, name: last.name, extraDepth: 1, at: last)
            parent.add(.table(table), forKey: last.name)
            return table
        case .table(let table):
            switch table.origin {
            case .implicit:
                table.origin = .header
                return table
            case .dotted:
                throw error("table \(name) is already defined by dotted keys", at: last.offset)
            case .header, .root:
                throw error("table \(name) is already defined", at: last.offset)
            }
        case .arrayOfTables:
            throw error(
                "\(name) is an array of tables; use [[\(name.dropFirst().dropLast())]] to add an element",
                at: last.offset)
        case .value(let existing):
            throw notATable(existing, name: name, at: last)
        }
    }

    private func makeNode(
        origin: TOMLTableNode.Origin, under parent: TOMLTableNode, name: String, extraDepth: Int,
        at part: TOMLKeyPart
    ) throws(TOMLError) -> TOMLTableNode {
        let depth = parent.depth + extraDepth
        guard depth <= TOMLParser.maximumDepth else {
            throw error("tables are nested more than \(TOMLParser.maximumDepth) levels deep", at: part.offset)
        }
        return TOMLTableNode(origin: origin, path: parent.path + [name], depth: depth)
    }

    /// The error for using an already defined value (named `name`, quoted) as a table.
    private func notATable(_ existing: TOMLValue, name: String, at part: TOMLKeyPart) -> TOMLError {
        switch existing {
        case .table:
            return error("inline table \(name) cannot be extended", at: part.offset)
        case .array:
            return error("key \(name) is already defined as an array, not a table", at: part.offset)
        default:
            return error("key \(name) is already defined as \(existing.typeNameWithArticle)", at: part.offset)
        }
    }
}
