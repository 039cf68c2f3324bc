import Foundation
import TestSupport

/// Exposition text produced live by Python's `prometheus_client`, with that library's own parse of it to compare
/// against: a counter with awkward label values, gauges at NaN and ±Inf, a histogram, a summary, an info, an enum
/// and 300 seeded random gauge values.
enum PrometheusClientText {
    /// What the script prints: the text, and every sample as `prometheus_client.parser` reads it back.
    struct Output: Decodable {
        let text: String
        let samples: [ReferenceSample]
    }

    /// A sample as Python sees it; `value` is Python's `repr` of the float (`nan`, `inf`, `0.1`).
    struct ReferenceSample: Decodable {
        let name: String
        let labels: [String: String]
        let value: String
    }

    enum Outcome {
        case produced(Output)
        /// python3 or prometheus_client is missing; the reason says which.
        case unavailable(String)
    }

    struct ScriptFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Exit status of the script when `prometheus_client` cannot be imported.
    static let importFailedStatus: Int32 = 3

    static func run() throws -> Outcome {
        let output = try ChildProcess.run(["/usr/bin/env", "python3", "-c", script])
        let stdout = output.stdout
        let stderr = output.stderrText
        switch output.status {
        case 0:
            return .produced(try JSONDecoder().decode(Output.self, from: stdout))
        case 127:
            return .unavailable("python3 is not on PATH (\(stderr.trimmingCharacters(in: .whitespacesAndNewlines)))")
        case importFailedStatus:
            return .unavailable(
                "Python's prometheus_client is not installed (pip install prometheus-client): "
                    + stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        case let status:
            throw ScriptFailure(description: "the prometheus_client script exited with \(status): \(stderr)")
        }
    }

    static let script = #"""
        import json, random, sys
        try:
            from prometheus_client import (
                CollectorRegistry, Counter, Enum, Gauge, Histogram, Info, Summary, generate_latest)
            from prometheus_client.parser import text_string_to_metric_families
        except ImportError as error:
            print(f"cannot import prometheus_client: {error}", file=sys.stderr)
            sys.exit(3)

        registry = CollectorRegistry()
        requests = Counter(
            "zc_requests", "Requests by path and code.\nSecond line with a \\ backslash.", ["path", "code"],
            registry=registry)
        requests.labels('/a"b', "200").inc(3)
        requests.labels("C:\\dir", "200").inc(2.5)
        requests.labels("line1\nline2", "500").inc(7)
        requests.labels('a,b}c="d" \t é🙂', "500").inc(0.1)
        for _ in range(3):
            requests.labels("/tenths", "200").inc(0.1)
        Counter("zc_restarts", "Restarts.", registry=registry).inc(4)
        ratio = Gauge("zc_ratio", "Ratios.", ["kind"], registry=registry)
        ratio.labels("nan").set(float("nan"))
        ratio.labels("inf").set(float("inf"))
        ratio.labels("neginf").set(float("-inf"))
        ratio.labels("tiny").set(1.5e-7)
        ratio.labels("huge").set(6.02214076e23)
        latency = Histogram("zc_latency_seconds", "Latency.", ["route"], buckets=[0.1, 1, 10], registry=registry)
        for value in [0.05, 0.5, 5, 50]:
            latency.labels("/x").observe(value)
        payload = Summary("zc_payload_bytes", "Payload sizes.", registry=registry)
        for value in [100, 200]:
            payload.observe(value)
        Info("zc_build", "Build.", registry=registry).info({"version": "1.2.3", "commit": "abc"})
        Enum("zc_state", "State.", states=["starting", "running", "stopped"], registry=registry).state("running")
        rng = random.Random(20240501)
        fuzz = Gauge("zc_fuzz", "Random values.", ["i"], registry=registry)
        for i in range(300):
            kind = i % 4
            if kind == 0:
                value = rng.uniform(-1e6, 1e6)
            elif kind == 1:
                value = rng.random() * 10 ** rng.randint(-300, 300)
            elif kind == 2:
                value = float(rng.randint(-2**62, 2**62))
            else:
                value = round(rng.uniform(0, 1000), rng.randint(0, 6))
            fuzz.labels(str(i)).set(value)

        text = generate_latest(registry).decode()
        samples = [
            {"name": sample.name, "labels": sample.labels, "value": repr(sample.value)}
            for family in text_string_to_metric_families(text) for sample in family.samples]
        print(json.dumps({"text": text, "samples": samples}))
        """#
}
