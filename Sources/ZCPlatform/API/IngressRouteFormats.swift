import Foundation
import ZCCore
import ZCHTTP

/// `GET /api/cluster/routes` in the forms a load balancer reads: the platform's JSON, Traefik's HTTP
/// provider (its dynamic configuration), and an HAProxy map file.
enum IngressRouteFormats {
    enum Format: String, CaseIterable {
        case json, traefik, haproxy
    }

    static func response(_ routes: [FleetReports.IngressRoute], domain: String?, format: Format) -> HTTPResponse {
        switch format {
        case .json: json(routes, domain: domain)
        case .traefik: traefik(routes, domain: domain)
        case .haproxy: haproxy(routes, domain: domain)
        }
    }

    static func host(_ route: FleetReports.IngressRoute, _ domain: String?) -> String? {
        domain.map { "\(route.tenant.rawValue).\($0)" }
    }

    struct RoutesView: Encodable {
        struct Route: Encodable {
            let tenant: String
            let node: String
            let api: String
            let gateway: String
            let host: String?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(tenant, forKey: .tenant)
                try container.encode(node, forKey: .node)
                try container.encode(api, forKey: .api)
                try container.encode(gateway, forKey: .gateway)
                try container.encode(host, forKey: .host)
            }

            enum CodingKeys: String, CodingKey { case tenant, node, api, gateway, host }
        }

        let domain: String?
        let routes: [Route]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(domain, forKey: .domain)
            try container.encode(routes, forKey: .routes)
        }

        enum CodingKeys: String, CodingKey { case domain, routes }
    }

    static func json(_ routes: [FleetReports.IngressRoute], domain: String?) -> HTTPResponse {
        JSONBody.response(
            RoutesView(
                domain: domain,
                routes: routes.map {
                    RoutesView.Route(
                        tenant: $0.tenant.rawValue, node: $0.node, api: $0.api, gateway: $0.gateway,
                        host: host($0, domain))
                }))
    }

    /// Traefik's dynamic configuration (HTTP provider): a router per tenant for its API paths to its
    /// node (whose service checks the node's `/readyz`), and with a domain one for its host name to its agent.
    static func traefik(_ routes: [FleetReports.IngressRoute], domain: String?) -> HTTPResponse {
        var routers: [String: Any] = [:]
        var services: [String: Any] = [:]
        func service(_ url: String, health: [String: Any]? = nil) -> [String: Any] {
            var balancer: [String: Any] = ["servers": [["url": url]], "passHostHeader": true]
            if let health { balancer["healthCheck"] = health }
            return ["loadBalancer": balancer]
        }
        // A node that is not ready (fenced, its store out of reach) is taken out until it is again.
        let readiness: [String: Any] = ["path": "/readyz", "interval": "5s", "timeout": "2s"]
        for route in routes {
            let id = route.tenant.rawValue
            let api = "zcplatform-api-\(route.node)"
            routers["zcplatform-tenant-\(id)"] = [
                "rule": "Path(`/api/tenants/\(id)`) || PathPrefix(`/api/tenants/\(id)/`)", "service": api,
            ]
            services[api] = service("http://\(route.api)", health: readiness)
            if let host = host(route, domain) {
                routers["zcplatform-agent-\(id)"] = ["rule": "Host(`\(host)`)", "service": "zcplatform-agent-\(id)"]
                services["zcplatform-agent-\(id)"] = service("http://\(route.gateway)")
            }
        }
        let document: [String: Any] = ["http": ["routers": routers, "services": services]]
        let bytes =
            (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map(Array.init) ?? []
        return HTTPResponse(headers: ["Content-Type": "application/json"], bytes: bytes)
    }

    /// An HAProxy map: `{id}.{domain} gateway` per agent (with a domain) and `/api/tenants/{id}/ api` per
    /// tenant, for `map()` on the host and `map_beg()` on the path.
    static func haproxy(_ routes: [FleetReports.IngressRoute], domain: String?) -> HTTPResponse {
        var lines = ["# zcplatform routes: \(routes.count) running tenants"]
        for route in routes {
            if let host = host(route, domain) { lines.append("\(host) \(route.gateway)") }
            lines.append("/api/tenants/\(route.tenant.rawValue)/ \(route.api)")
        }
        return HTTPResponse(
            headers: ["Content-Type": "text/plain; charset=utf-8"],
            bytes: Array((lines.joined(separator: "\n") + "\n").utf8))
    }
}
