/// A view that writes itself with `JSONWriter`: the same JSON `JSONBody` encodes it to (keys sorted, nil
/// left out where the encoder leaves it out), without `JSONEncoder`'s cost on answers of thousands of rows.
public protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

extension JSONBody {
    /// A response with `value` written as JSON.
    public static func response(writing value: some JSONWritable, status: HTTPStatus = .ok) -> HTTPResponse {
        var json = JSONWriter(capacity: 1024)
        value.write(to: &json)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], bytes: json.bytes)
    }

    /// A response with `values` written as one JSON array; `rowBytes` sizes the buffer.
    public static func response(
        writingArray values: some Collection<some JSONWritable>, rowBytes: Int = 256, status: HTTPStatus = .ok,
        headers: HTTPHeaders = [:]
    ) -> HTTPResponse {
        var json = JSONWriter(capacity: values.count * rowBytes + 2)
        json.array(values)
        var all = headers
        all.set("Content-Type", "application/json")
        return HTTPResponse(status: status, headers: all, bytes: json.bytes)
    }
}

extension JSONWriter {
    /// `values` as an array, each written by itself.
    public mutating func array(_ values: some Sequence<some JSONWritable>) {
        beginArray()
        for value in values { value.write(to: &self) }
        endArray()
    }

    /// `key` and its value, or null when it is nil (as `JSONEncoder` writes an optional encoded with
    /// `encode`, not `encodeIfPresent`).
    public mutating func field(_ name: StaticString, orNull value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    public mutating func field(_ name: StaticString, orNull value: Int64?) {
        key(name)
        if let value { int(value) } else { null() }
    }

    public mutating func field(_ name: StaticString, _ value: Int?) {
        field(name, value.map(Int64.init))
    }

    /// `key` and a nested value, or null when it is nil.
    public mutating func field(_ name: StaticString, orNull value: (some JSONWritable)?) {
        key(name)
        if let value { value.write(to: &self) } else { null() }
    }
}
