import Foundation
import ZCCore
import ZCPlatform

/// `zcplatform rollout …`: the rollouts of `/api/rollouts`, on the store directly (a running server
/// hears of a change through the store's signals, or at its next look, within 15 seconds).
extension Commands {
    static let rolloutCommands: [CommandSpec] = [
        CommandSpec(
            ["rollout", "start"], summary: "roll an agent image out across the fleet: a canary, then batches",
            details: """
                Every node with tenants in the rollout pulls and pins the image first; a missing image fails the
                rollout with nothing touched. Each tenant's agent is then made from the new image and must answer
                /health for --health-seconds without a restart, its zeroclaw_errors_total rising no faster than
                before; a tenant that fails goes back to its old image with its data, and --max-failures failures
                halt the rollout and roll back the batch in flight. Prints the rollout's id; follow it with
                `rollout status ID`. --canary and --batch-size take a number or a percentage (10%).
                """,
            options: [
                OptionSpec(name: "image", valueName: "IMAGE", help: "the agent image (process runtime: the command)"),
                OptionSpec(name: "canary", valueName: "N|N%", help: "tenants in the canary batch (1)"),
                OptionSpec(name: "batch-size", valueName: "N|N%", help: "tenants in each later batch (10%)"),
                OptionSpec(name: "health-seconds", valueName: "N", help: "how long each agent must stay healthy (30)"),
                OptionSpec(name: "max-failures", valueName: "N", help: "failures that halt the rollout (1)"),
                OptionSpec(name: "tenants", valueName: "ID,ID", help: "only these tenants, in this order"),
                OptionSpec(name: "pause-after-canary", valueName: nil, help: "pause once the canary has passed"),
            ], run: rolloutStart),
        CommandSpec(
            ["rollout", "status"], summary: "show a rollout: its state, progress and each tenant's state",
            arguments: ["ID"], run: rolloutStatus),
        CommandSpec(["rollout", "list"], summary: "list the rollouts, newest first", run: rolloutList),
        CommandSpec(
            ["rollout", "pause"], summary: "start no new batch; updates under way finish their gate",
            arguments: ["ID"], run: { try await rolloutChange($0, "pause") }),
        CommandSpec(
            ["rollout", "resume"], summary: "go on with a paused or rolled-back rollout",
            arguments: ["ID"], run: { try await rolloutChange($0, "resume") }),
        CommandSpec(
            ["rollout", "abort"], summary: "end a rollout: updated tenants keep the new image",
            arguments: ["ID"], run: { try await rolloutChange($0, "abort") }),
    ]

    /// The options as the API's body, so both check them the same way.
    static func rolloutBody(_ arguments: ParsedArguments) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        if let image = arguments.value("image") { body["image"] = .string(image) }
        for (option, field) in [("canary", "canary"), ("batch-size", "batch_size")] {
            guard let value = arguments.value(option) else { continue }
            body[field] = Double(value).map(JSONValue.number) ?? .string(value)
        }
        for (option, field) in [("health-seconds", "health_seconds"), ("max-failures", "max_failures")] {
            guard let value = arguments.value(option) else { continue }
            body[field] = Double(value).map(JSONValue.number) ?? .string(value)
        }
        if let tenants = arguments.value("tenants") {
            body["tenants"] = .array(tenants.split(separator: ",").map { .string(String($0)) })
        }
        if arguments.has("pause-after-canary") { body["pause_after_canary"] = .bool(true) }
        return body
    }

    static func rolloutStart(_ arguments: ParsedArguments) async throws -> Int32 {
        guard arguments.value("image") != nil else {
            throw UsageError(message: "missing --image IMAGE", command: command(["rollout", "start"]))
        }
        let request = try RolloutRequest(rolloutBody(arguments))
        return try await withStore(arguments, migrate: false) { store, _ in
            let rollout = try await RolloutService(store: store).start(request, by: .system("cli"))
            print(rollout.id)
            return 0
        }
    }

    static func rolloutStatus(_ arguments: ParsedArguments) async throws -> Int32 {
        let id = try rolloutID(arguments, "status")
        return try await withStore(arguments, migrate: false) { store, _ in
            let detail = try await RolloutService(store: store).detail(id)
            print(RolloutStatusText.render(detail))
            return 0
        }
    }

    static func rolloutList(_ arguments: ParsedArguments) async throws -> Int32 {
        try await withStore(arguments, migrate: false) { store, _ in
            let listed = try await RolloutService(store: store).list(limit: 50)
            print(RolloutStatusText.list(listed))
            return 0
        }
    }

    static func rolloutChange(_ arguments: ParsedArguments, _ verb: String) async throws -> Int32 {
        let id = try rolloutID(arguments, verb)
        return try await withStore(arguments, migrate: false) { store, _ in
            let service = RolloutService(store: store)
            let rollout: Rollout
            switch verb {
            case "pause": rollout = try await service.pause(id, by: .system("cli"))
            case "resume": rollout = try await service.resume(id, by: .system("cli"))
            default: rollout = try await service.abort(id, by: .system("cli"))
            }
            print("\(rollout.id): \(rollout.state.rawValue)")
            return 0
        }
    }

    static func rolloutID(_ arguments: ParsedArguments, _ verb: String) throws -> String {
        guard let id = arguments.value("ID") else {
            throw UsageError(
                message: "missing the rollout's id: zcplatform rollout \(verb) ID", command: command(["rollout", verb]))
        }
        return id
    }
}
