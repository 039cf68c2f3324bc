import Testing
import ZCCore

@Suite("Metrics registry and Prometheus text")
struct MetricsRegistryTests {
    @Test("counters, gauges and histograms render in exposition format 0.0.4")
    func rendering() {
        let registry = MetricsRegistry()
        let requests = registry.counter(
            "zcplatform_http_requests_total", help: "Requests answered.", labels: ["route", "status"])
        let open = registry.gauge("zcplatform_http_open_connections", help: "Open connections.")
        let latency = registry.histogram(
            "zcplatform_http_request_duration_seconds", help: "Latency.", labels: ["route"], buckets: [0.01, 0.1, 1])
        requests.increment(labels: ["/api/tenants/{id}", "200"])
        requests.increment(by: 2, labels: ["/api/tenants/{id}", "200"])
        requests.increment(labels: ["/healthz", "200"])
        requests.increment(by: -5, labels: ["/healthz", "200"])
        open.set(7)
        open.add(-2)
        for value in [0.005, 0.05, 0.05, 5.0] { latency.observe(value, labels: ["/x"]) }
        let text = registry.render()
        #expect(
            text == """
                # HELP zcplatform_http_requests_total Requests answered.
                # TYPE zcplatform_http_requests_total counter
                zcplatform_http_requests_total{route="/api/tenants/{id}",status="200"} 3
                zcplatform_http_requests_total{route="/healthz",status="200"} 1
                # HELP zcplatform_http_open_connections Open connections.
                # TYPE zcplatform_http_open_connections gauge
                zcplatform_http_open_connections 5
                # HELP zcplatform_http_request_duration_seconds Latency.
                # TYPE zcplatform_http_request_duration_seconds histogram
                zcplatform_http_request_duration_seconds_bucket{route="/x",le="0.01"} 1
                zcplatform_http_request_duration_seconds_bucket{route="/x",le="0.1"} 3
                zcplatform_http_request_duration_seconds_bucket{route="/x",le="1"} 3
                zcplatform_http_request_duration_seconds_bucket{route="/x",le="+Inf"} 4
                zcplatform_http_request_duration_seconds_sum{route="/x"} 5.105
                zcplatform_http_request_duration_seconds_count{route="/x"} 4

                """)
        #expect(requests.value(labels: ["/healthz", "200"]) == 1, "counters never decrease")
    }

    @Test("label values are escaped")
    func escaping() {
        let registry = MetricsRegistry()
        registry.counter("c", help: "line\nbreak \\ slash", labels: ["v"]).increment(labels: ["a\"b\\c\nd"])
        let text = registry.render()
        #expect(text.contains(#"# HELP c line\nbreak \\ slash"#))
        #expect(text.contains(#"c{v="a\"b\\c\nd"} 1"#))
    }
}
