import ZCCore

/// Mails what the platform must tell people by SMTP submission: login codes to their owner, alerts (firing
/// and resolved) to `alertRecipients`.
///
/// Each mail is one SMTP conversation secured as `MailNotifierOptions.TLSMode` says, run on a dispatch thread
/// (see `SMTPSession`). Transient failures (no connection, a time-out, a dropped connection, a 4xx reply)
/// are retried, up to `maxAttempts` in all, waiting `initialBackoff` and doubling, at most `maxBackoff`.
/// Permanent ones (a 5xx reply, an untrusted certificate, no STARTTLS) fail at once. Failures throw
/// `MailError`; each mail logs one line with its outcome, never its body, its code or the password.
public struct MailNotifier: Notifier {
    public let name = "mail"
    /// Kept internal: it holds the password.
    let options: MailNotifierOptions
    let sender: MailAddress
    let alertRecipients: [MailAddress]
    let heloName: String
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void

    /// Throws `MailError.invalidOptions` when `options` cannot work (see `MailNotifierOptions.validate()`).
    ///
    /// - Parameter sleep: waits between attempts; tests pass one that records and returns at once.
    public init(
        options: MailNotifierOptions, logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) throws(MailError) {
        try options.validate()
        do {
            sender = try MailAddress(parsing: options.from)
            alertRecipients = try options.alertRecipients.map { text throws(MailAddress.Invalid) in
                try MailAddress(parsing: text)
            }
        } catch {
            throw .invalidOptions(error.reason)
        }
        self.options = options
        self.heloName = options.effectiveHELOName
        self.logger = logger.with("host", options.server)
        self.sleep = sleep
    }

    /// Mails `notification`, retrying as the type describes; throws `MailError` when it was not delivered,
    /// and `CancellationError` when the task is cancelled.
    ///
    /// A `.loginCode` goes to its `recipient` only (none is an error). Alerts go to `alertRecipients`, and
    /// nowhere (without error) when there are none.
    public func send(_ notification: ZCCore.Notification) async throws {
        guard let envelope = try envelope(for: notification, date: Timestamp.now()) else { return }
        let kind = notification.kind.rawValue
        let recipients = envelope.recipients.count
        let attempts = max(1, options.maxAttempts)
        for attempt in 1...attempts {
            do {
                try await DeliveryThread.run { flag in
                    try SMTPSession(options: options, heloName: heloName, envelope: envelope, cancellation: flag).run()
                }
                logger.info("mail.delivered", ["kind": kind, "recipients": recipients, "attempts": attempt])
                return
            } catch let error as MailError {
                guard error.isTransient, attempt < attempts else {
                    logger.error(
                        "mail.failed", ["kind": kind, "recipients": recipients, "attempts": attempt, "error": error])
                    throw error
                }
                let delay = options.backoff(afterAttempt: attempt)
                logger.warning("mail.retry", ["kind": kind, "attempt": attempt, "error": error, "retry_in": delay])
                try await sleep(delay)
            }
        }
    }

    /// The sender, recipients and message for `notification`; nil for an alert when no one gets alerts.
    func envelope(for notification: ZCCore.Notification, date: Timestamp) throws(MailError) -> MailEnvelope? {
        let recipients: [MailAddress]
        switch notification.kind {
        case .loginCode:
            guard let recipient = notification.recipient else {
                throw .invalidMessage("a login code without a recipient")
            }
            do {
                recipients = [try MailAddress(parsing: recipient)]
            } catch {
                throw .invalidMessage("recipient: \(error.reason)")
            }
        case .alertFiring, .alertResolved:
            guard !alertRecipients.isEmpty else { return nil }
            recipients = alertRecipients
        }
        let message = try MailMessage(
            from: sender, to: recipients, subject: MailContent.subject(for: notification),
            body: MailContent.body(for: notification), date: date)
        return MailEnvelope(sender: sender, recipients: recipients, message: message.bytes)
    }
}
