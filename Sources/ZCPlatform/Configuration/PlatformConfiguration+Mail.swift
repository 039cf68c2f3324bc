import MailNotifier

extension PlatformConfiguration.Mail {
    /// The mail notifier's options from `[notifiers.mail]`; `validate()` says what cannot work.
    func options() throws -> MailNotifierOptions {
        guard let host else { throw ConfigurationError("notifiers.mail.host is required when mail is enabled") }
        guard let from else { throw ConfigurationError("notifiers.mail.from is required when mail is enabled") }
        let mode = MailNotifierOptions.TLSMode(rawValue: tls) ?? .starttls
        return MailNotifierOptions(
            host: host, port: port == 0 ? nil : port, tls: mode, username: username, password: password, from: from,
            alertRecipients: alertsTo, caFile: caFile, timeout: .seconds(timeoutSeconds), maxAttempts: maxAttempts)
    }
}
