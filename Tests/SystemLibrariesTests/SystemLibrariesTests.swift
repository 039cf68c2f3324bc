import CCrypto
import CEpoll
import CLibPQ
import CSQLite
import CZlib
import Glibc
import Testing

/// Each module map links its library and exposes what the platform uses.
@Suite("System library modules")
struct SystemLibrariesTests {
    @Test("libsqlite3 is 3.35 or newer (RETURNING, STRICT needs 3.37)")
    func sqlite() {
        #expect(sqlite3_libversion_number() >= 3_037_000)
    }

    @Test("libpq answers its version")
    func libpq() {
        #expect(PQlibVersion() >= 100_000)
    }

    @Test("libcrypto is OpenSSL 3")
    func crypto() {
        #expect(OpenSSL_version_num() >= 0x3000_0000)
    }

    @Test("zlib deflates and inflates gzip through the shims")
    func zlib() throws {
        let input = Array(String(repeating: "zcplatform ", count: 100).utf8)
        var deflater = z_stream()
        #expect(zc_deflate_init_gzip(&deflater, 6) == Z_OK)
        var output = [UInt8](repeating: 0, count: 4096)
        var inputCopy = input
        let produced = inputCopy.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                deflater.next_in = source.baseAddress
                deflater.avail_in = UInt32(source.count)
                deflater.next_out = target.baseAddress
                deflater.avail_out = UInt32(target.count)
                let status = deflate(&deflater, Z_FINISH)
                return status == Z_STREAM_END ? target.count - Int(deflater.avail_out) : -1
            }
        }
        deflateEnd(&deflater)
        #expect(produced > 10 && produced < input.count)
        #expect(Array(output.prefix(2)) == [0x1F, 0x8B], "a gzip header")
        var inflater = z_stream()
        #expect(zc_inflate_init_gzip(&inflater) == Z_OK)
        var restored = [UInt8](repeating: 0, count: input.count + 16)
        let restoredCount = output.withUnsafeMutableBufferPointer { source in
            restored.withUnsafeMutableBufferPointer { target in
                inflater.next_in = source.baseAddress
                inflater.avail_in = UInt32(produced)
                inflater.next_out = target.baseAddress
                inflater.avail_out = UInt32(target.count)
                let status = inflate(&inflater, Z_FINISH)
                return status == Z_STREAM_END ? target.count - Int(inflater.avail_out) : -1
            }
        }
        inflateEnd(&inflater)
        #expect(Array(restored.prefix(restoredCount)) == input)
    }

    @Test("epoll and eventfd: a written eventfd is reported readable")
    func epoll() {
        let poller = epoll_create1(Int32(EPOLL_CLOEXEC))
        #expect(poller >= 0)
        let event = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        #expect(event >= 0)
        defer {
            close(event)
            close(poller)
        }
        var registration = epoll_event()
        registration.events = EPOLLIN.rawValue
        registration.data.fd = event
        #expect(epoll_ctl(poller, EPOLL_CTL_ADD, event, &registration) == 0)
        var one: UInt64 = 1
        #expect(write(event, &one, 8) == 8)
        var ready = [epoll_event](repeating: epoll_event(), count: 4)
        let count = epoll_wait(poller, &ready, 4, 1000)
        #expect(count == 1)
        #expect(ready[0].data.fd == event)
    }
}
