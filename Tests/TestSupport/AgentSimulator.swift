import Foundation

/// The agent simulator (`zcagent-sim`), built beside the test bundle.
public enum AgentSimulator {
    public static var executable: String {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return ((bundle as NSString).deletingLastPathComponent as NSString).appendingPathComponent("zcagent-sim")
    }
}
