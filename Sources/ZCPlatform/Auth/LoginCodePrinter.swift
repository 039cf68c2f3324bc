import Foundation
import ZCCore

/// Development only (`auth.print_login_codes = true`, which `serve --demo` turns on): writes each login
/// code to stderr, outside the structured log, so a developer without mail can sign in. Production
/// leaves it off and mails codes; with neither, codes reach no one.
struct LoginCodePrinter: Notifier {
    let name = "print-login-codes"
    let write: @Sendable (String) -> Void

    init(write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.write = write
    }

    func send(_ notification: ZCCore.Notification) async throws {
        guard notification.kind == .loginCode, let recipient = notification.recipient else { return }
        write("zcplatform: development (auth.print_login_codes): \(notification.body) (for \(recipient))\n")
    }
}
