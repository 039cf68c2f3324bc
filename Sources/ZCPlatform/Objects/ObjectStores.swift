import DirectoryObjects
import S3Objects
import ZCCore
import ZCHTTP

/// Makes the object store a location names, with the `objects.*` keys (the composition root of object
/// stores: the one place that names their drivers). Credentials come from `objects.access_key_id` and
/// `objects.secret_access_key`, else from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN`; a missing one is refused naming both.
public enum ObjectStores {
    public static func make(
        _ location: ObjectLocation, settings: PlatformConfiguration.Objects, environment: [String: String]
    ) throws -> any ObjectStore {
        switch location {
        case .directory(let path):
            do {
                return try DirectoryObjectStore(root: path)
            } catch {
                throw ConfigurationError("\(location): \(error)")
            }
        case .s3(let bucket, let prefix):
            let endpoint = settings.endpoint ?? S3Endpoint.aws(region: settings.region)
            func credential(_ key: String, _ variable: String, _ value: String?) throws(ConfigurationError) -> String {
                if let value, !value.isEmpty { return value }
                if let value = environment[variable], !value.isEmpty { return value }
                throw ConfigurationError(
                    "\(location) needs objects.\(key) (or the \(variable) environment variable)")
            }
            let keyID = try credential("access_key_id", "AWS_ACCESS_KEY_ID", settings.accessKeyID)
            let secret = try credential("secret_access_key", "AWS_SECRET_ACCESS_KEY", settings.secretAccessKey)
            let token =
                settings.accessKeyID == nil ? environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } : nil
            let pathStyle: Bool =
                switch settings.addressing {
                case .path: true
                case .virtual: false
                case .auto: settings.endpoint != nil
                }
            let configuration = S3Configuration(
                bucket: bucket, prefix: prefix, endpoint: endpoint, region: settings.region, accessKeyID: keyID,
                secretAccessKey: secret, sessionToken: token, pathStyle: pathStyle)
            do {
                return try S3ObjectStore(configuration: configuration, client: HTTPClient())
            } catch let error as ObjectStoreError {
                throw ConfigurationError("\(location): \(error)")
            }
        }
    }
}
