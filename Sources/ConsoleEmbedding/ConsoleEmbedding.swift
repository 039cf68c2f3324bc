import Foundation
import PackagePlugin

/// Embeds the files of `Assets/` in the target as Swift source (`EmbeddedConsoleFiles`), run again
/// whenever one of them changes.
@main
struct ConsoleEmbedding: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let assets = target.directoryURL.appending(path: "Assets")
        let files = try FileManager.default.contentsOfDirectory(
            at: assets, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]
        ).sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedConsoleFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding the console's \(files.count) files",
                executable: try context.tool(named: "zcembed").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files, outputFiles: [output])
        ]
    }
}
