import Foundation
import TestSupport
import Testing
import ZCCore

@Suite("Prometheus text exposition parser")
struct PrometheusTextParserTests {
    // MARK: Real-world texts

    /// The examples of https://prometheus.io/docs/instrumenting/exposition_formats/.
    static let documentationExample = #"""
        # HELP http_requests_total The total number of HTTP requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400"}    3 1395066363000

        # Escaping in label values:
        msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

        # Minimalistic line:
        metric_without_timestamp_and_labels 12.47

        # A weird metric from before the epoch:
        something_weird{problem="division by zero"} +Inf -3982045

        # A histogram, which has a pretty complex representation in the text format:
        # HELP http_request_duration_seconds A histogram of the request duration.
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{le="0.05"} 24054
        http_request_duration_seconds_bucket{le="0.1"} 33444
        http_request_duration_seconds_bucket{le="0.2"} 100392
        http_request_duration_seconds_bucket{le="0.5"} 129389
        http_request_duration_seconds_bucket{le="1"} 133988
        http_request_duration_seconds_bucket{le="+Inf"} 144320
        http_request_duration_seconds_sum 53423
        http_request_duration_seconds_count 144320

        # Finally a summary, which has a complex representation, too:
        # HELP rpc_duration_seconds A summary of the RPC duration in seconds.
        # TYPE rpc_duration_seconds summary
        rpc_duration_seconds{quantile="0.01"} 3102
        rpc_duration_seconds{quantile="0.05"} 3272
        rpc_duration_seconds{quantile="0.5"} 4773
        rpc_duration_seconds{quantile="0.9"} 9001
        rpc_duration_seconds{quantile="0.99"} 76656
        rpc_duration_seconds_sum 1.7560473e+07
        rpc_duration_seconds_count 2693

        """#

    @Test("the examples of the exposition format documentation")
    func documentationExamples() throws {
        let exposition = try PrometheusTextParser.parse(Self.documentationExample)
        #expect(exposition.samples.count == 20)
        #expect(
            exposition.samples.first
                == PrometheusSample(
                    name: "http_requests_total", labels: ["method": "post", "code": "200"], value: 1027,
                    timestampMilliseconds: 1_395_066_363_000))
        #expect(exposition.sum("http_requests_total") == 1030)
        #expect(exposition.sum("http_requests_total", matching: ["code": "400"]) == 3)
        #expect(exposition.sum("http_requests_total", matching: ["code": "500"]) == nil)
        #expect(exposition.help["http_requests_total"] == "The total number of HTTP requests.")
        #expect(exposition.types["http_requests_total"] == .counter)

        let msdos = try #require(exposition.samples.first { $0.name == "msdos_file_access_time_seconds" })
        #expect(msdos.labels == ["path": #"C:\DIR\FILE.TXT"#, "error": "Cannot find file:\n\"FILE.TXT\""])
        #expect(msdos.value == 1.458255915e9)
        #expect(msdos.timestampMilliseconds == nil)
        #expect(exposition.type(of: msdos) == .untyped)
        #expect(exposition.sum("metric_without_timestamp_and_labels") == 12.47)
        let weird = try #require(exposition.samples.first { $0.name == "something_weird" })
        #expect(weird.value == .infinity)
        #expect(weird.timestampMilliseconds == -3_982_045)

        let infBucket = try #require(exposition.samples.first { $0.labels["le"] == "+Inf" })
        #expect(infBucket.name == "http_request_duration_seconds_bucket" && infBucket.value == 144320)
        #expect(exposition.family(of: infBucket) == "http_request_duration_seconds")
        #expect(exposition.type(of: infBucket) == .histogram)
        for name in ["http_request_duration_seconds_bucket", "http_request_duration_seconds_sum"] {
            #expect(exposition.sum(name) == nil, "\(name) belongs to a histogram")
        }
        #expect(exposition.sum("http_request_duration_seconds_count") == nil)

        let quantiles = exposition.samples.filter { $0.name == "rpc_duration_seconds" }
        #expect(quantiles.map(\.labels) == ["0.01", "0.05", "0.5", "0.9", "0.99"].map { ["quantile": $0] })
        #expect(exposition.type(of: quantiles[0]) == .summary)
        #expect(exposition.sum("rpc_duration_seconds") == nil)
        #expect(exposition.sum("rpc_duration_seconds_sum") == nil)
        let summarySum = try #require(exposition.samples.first { $0.name == "rpc_duration_seconds_sum" })
        #expect(summarySum.value == 17_560_473)
        #expect(exposition.family(of: summarySum) == "rpc_duration_seconds")
    }

    static let nodeExporterExcerpt = """
        # HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.
        # TYPE go_gc_duration_seconds summary
        go_gc_duration_seconds{quantile="0"} 2.4394e-05
        go_gc_duration_seconds{quantile="0.25"} 3.3727e-05
        go_gc_duration_seconds{quantile="0.5"} 4.1021e-05
        go_gc_duration_seconds{quantile="0.75"} 5.6713e-05
        go_gc_duration_seconds{quantile="1"} 0.000160585
        go_gc_duration_seconds_sum 0.187318906
        go_gc_duration_seconds_count 3917
        # HELP go_goroutines Number of goroutines that currently exist.
        # TYPE go_goroutines gauge
        go_goroutines 8
        # HELP go_info Information about the Go environment.
        # TYPE go_info gauge
        go_info{version="go1.21.5"} 1
        # HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
        # TYPE node_cpu_seconds_total counter
        node_cpu_seconds_total{cpu="0",mode="idle"} 2.13546891e+06
        node_cpu_seconds_total{cpu="0",mode="iowait"} 1092.36
        node_cpu_seconds_total{cpu="0",mode="user"} 43250.58
        node_cpu_seconds_total{cpu="1",mode="idle"} 2.13612374e+06
        node_cpu_seconds_total{cpu="1",mode="iowait"} 1012.91
        node_cpu_seconds_total{cpu="1",mode="user"} 42890.11
        # HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.
        # TYPE node_filesystem_avail_bytes gauge
        node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 3.1563767808e+10
        node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 8.37169152e+08
        # HELP node_load1 1m load average.
        # TYPE node_load1 gauge
        node_load1 0.42
        # HELP node_network_receive_bytes_total Network device statistic receive_bytes.
        # TYPE node_network_receive_bytes_total counter
        node_network_receive_bytes_total{device="eth0"} 9.87654321e+09
        node_network_receive_bytes_total{device="lo"} 123456
        # HELP node_scrape_collector_success node_exporter: Whether a collector succeeded.
        # TYPE node_scrape_collector_success gauge
        node_scrape_collector_success{collector="cpu"} 1
        node_scrape_collector_success{collector="filesystem"} 0
        # HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
        # TYPE process_start_time_seconds gauge
        process_start_time_seconds 1.70281545718e+09
        """

    @Test("a node_exporter excerpt")
    func nodeExporter() throws {
        let exposition = try PrometheusTextParser.parse(Self.nodeExporterExcerpt)
        #expect(exposition.samples.count == 23)
        #expect(exposition.types.count == 9)
        #expect(exposition.sum("node_cpu_seconds_total", matching: ["mode": "idle"]) == 2.13546891e+06 + 2.13612374e+06)
        #expect(exposition.sum("node_cpu_seconds_total", matching: ["cpu": "1"]) == 2.13612374e+06 + 1012.91 + 42890.11)
        #expect(exposition.sum("node_cpu_seconds_total", matching: ["cpu": "1", "mode": "user"]) == 42890.11)
        #expect(exposition.sum("node_filesystem_avail_bytes", matching: ["mountpoint": "/"]) == 3.1563767808e+10)
        #expect(exposition.sum("node_network_receive_bytes_total") == 9.87654321e+09 + 123456)
        #expect(exposition.sum("node_scrape_collector_success") == 1)
        #expect(exposition.sum("process_start_time_seconds") == 1.70281545718e+09)
        #expect(exposition.sum("go_info", matching: ["version": "go1.21.5"]) == 1)
        #expect(exposition.sum("go_gc_duration_seconds") == nil)
        #expect(exposition.sum("go_gc_duration_seconds_count") == nil)
        #expect(exposition.samples.filter { $0.name == "go_gc_duration_seconds" }.map(\.value).last == 0.000160585)
        #expect(exposition.help["node_scrape_collector_success"] == "node_exporter: Whether a collector succeeded.")
    }

    /// What `zcagent-sim` serves (see `SimulatorState.metrics()`): the legacy names and the per-channel and
    /// per-model ones, with a quote escaped in a label value, and a histogram to skip.
    static let zeroClawText = #"""
        # HELP zeroclaw_messages_total Messages handled (legacy name).
        # TYPE zeroclaw_messages_total counter
        zeroclaw_messages_total 7
        # HELP zeroclaw_tokens_total Tokens used (legacy name).
        # TYPE zeroclaw_tokens_total counter
        zeroclaw_tokens_total{direction="input"} 1234
        zeroclaw_tokens_total{direction="output"} 567
        # HELP zeroclaw_channel_messages_total Messages per channel and direction.
        # TYPE zeroclaw_channel_messages_total counter
        zeroclaw_channel_messages_total{channel="discord",direction="inbound"} 2
        zeroclaw_channel_messages_total{channel="discord",direction="outbound"} 2
        zeroclaw_channel_messages_total{channel="telegram",direction="inbound"} 5
        zeroclaw_channel_messages_total{channel="telegram",direction="outbound"} 4
        # HELP zeroclaw_tokens_input_total Input tokens per provider and model.
        # TYPE zeroclaw_tokens_input_total counter
        zeroclaw_tokens_input_total{provider="openrouter",model="sim\"model"} 1234
        # HELP zeroclaw_tokens_output_total Output tokens per provider and model.
        # TYPE zeroclaw_tokens_output_total counter
        zeroclaw_tokens_output_total{provider="openrouter",model="sim\"model"} 567
        # HELP zeroclaw_llm_request_duration_seconds Provider latency.
        # TYPE zeroclaw_llm_request_duration_seconds histogram
        zeroclaw_llm_request_duration_seconds_bucket{le="0.5"} 1
        zeroclaw_llm_request_duration_seconds_bucket{le="1.0"} 2
        zeroclaw_llm_request_duration_seconds_bucket{le="2.5"} 2
        zeroclaw_llm_request_duration_seconds_bucket{le="+Inf"} 3
        zeroclaw_llm_request_duration_seconds_sum 5.5
        zeroclaw_llm_request_duration_seconds_count 3
        # HELP zeroclaw_up Always 1.
        # TYPE zeroclaw_up gauge
        zeroclaw_up 1

        """#

    @Test("the ZeroClaw metrics of both name families, as the simulator serves them")
    func zeroClawAgent() throws {
        let exposition = try PrometheusTextParser.parse(Self.zeroClawText)
        #expect(exposition.samples.count == 16)
        #expect(exposition.sum("zeroclaw_messages_total") == 7)
        #expect(exposition.sum("zeroclaw_tokens_total", matching: ["direction": "input"]) == 1234)
        #expect(exposition.sum("zeroclaw_tokens_total", matching: ["direction": "output"]) == 567)
        #expect(exposition.sum("zeroclaw_channel_messages_total", matching: ["direction": "inbound"]) == 7)
        #expect(exposition.sum("zeroclaw_channel_messages_total", matching: ["direction": "outbound"]) == 6)
        #expect(exposition.sum("zeroclaw_channel_messages_total", matching: ["channel": "telegram"]) == 9)
        #expect(exposition.sum("zeroclaw_channel_messages_total", matching: ["channel": "slack"]) == nil)
        #expect(exposition.sum("zeroclaw_tokens_input_total", matching: ["model": #"sim"model"#]) == 1234)
        #expect(exposition.sum("zeroclaw_tokens_output_total", matching: ["provider": "openrouter"]) == 567)
        #expect(exposition.sum("zeroclaw_tokens_input_total", matching: ["model": #"sim\"model"#]) == nil)
        #expect(exposition.sum("zeroclaw_llm_request_duration_seconds_bucket") == nil)
        #expect(exposition.sum("zeroclaw_llm_request_duration_seconds_count") == nil)
        #expect(exposition.sum("zeroclaw_up") == 1)

        let input = try PrometheusSelector(parsing: #"zeroclaw_tokens_total{direction="input"}"#)
        let modelInput = try PrometheusSelector(parsing: #"zeroclaw_tokens_input_total{model="sim\"model"}"#)
        #expect(exposition.sum(input) == 1234)
        #expect(exposition.sum(modelInput) == 1234)
        #expect(exposition.samples.filter(modelInput.matches).count == 1)
    }

    @Test("per-model token counters of an agent using several providers; legacy names absent")
    func zeroClawSeveralModels() throws {
        let exposition = try PrometheusTextParser.parse(
            """
            # TYPE zeroclaw_tokens_input_total counter
            zeroclaw_tokens_input_total{provider="openrouter",model="anthropic/claude-sonnet-4"} 1500
            zeroclaw_tokens_input_total{provider="openrouter",model="openai/gpt-4o"} 250
            zeroclaw_tokens_input_total{provider="ollama",model="llama3:8b"} 40
            # TYPE zeroclaw_tokens_output_total counter
            zeroclaw_tokens_output_total{provider="openrouter",model="anthropic/claude-sonnet-4"} 300
            zeroclaw_tokens_output_total{provider="ollama",model="llama3:8b"} 12
            """)
        #expect(exposition.sum("zeroclaw_tokens_input_total") == 1790)
        #expect(exposition.sum("zeroclaw_tokens_input_total", matching: ["provider": "openrouter"]) == 1750)
        #expect(exposition.sum("zeroclaw_tokens_output_total") == 312)
        #expect(exposition.sum("zeroclaw_tokens_total") == nil)
        #expect(exposition.sum("zeroclaw_messages_total") == nil)
    }

    // MARK: prometheus_client, live

    @Test("text generated live by Python's prometheus_client, checked against its own parser")
    func pythonPrometheusClient() async throws {
        let output: PrometheusClientText.Output
        switch try await Blocking.run({ try PrometheusClientText.run() }) {
        case .produced(let produced): output = produced
        case .unavailable(let reason):
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("cannot run the prometheus_client test in CI: \(reason)")
            } else {
                print("skipping the prometheus_client test: \(reason)")
            }
            return
        }
        let exposition = try PrometheusTextParser.parse(output.text)

        // Every sample as prometheus_client reads its own text back: names, unescaped labels, exact values.
        #expect(exposition.samples.count == output.samples.count)
        for (ours, reference) in zip(exposition.samples, output.samples) {
            let expected = try #require(Double(reference.value), "Python value \(reference.value)")
            #expect(ours.name == reference.name)
            #expect(ours.labels == reference.labels, "labels of \(ours.name)")
            #expect(
                ours.value.bitPattern == expected.bitPattern || (ours.value.isNaN && expected.isNaN),
                "\(ours.name)\(ours.labels): \(ours.value) parsed, Python says \(reference.value)")
            #expect(ours.timestampMilliseconds == nil)
        }
        #expect(exposition.samples.filter { $0.name == "zc_fuzz" }.count == 300)

        // Counters: `_total` per label set; the `_created` gauges are separate samples and never summed in.
        #expect(exposition.types["zc_requests_total"] == .counter)
        #expect(exposition.types["zc_requests_created"] == .gauge)
        #expect(exposition.help["zc_requests_total"] == "Requests by path and code.\nSecond line with a \\ backslash.")
        #expect(exposition.sum("zc_requests_total") == 3 + 2.5 + 7 + 0.1 + (0.1 + 0.1 + 0.1))
        #expect(exposition.sum("zc_requests_total", matching: ["path": #"/a"b"#]) == 3)
        #expect(exposition.sum("zc_requests_total", matching: ["path": #"C:\dir"#]) == 2.5)
        #expect(exposition.sum("zc_requests_total", matching: ["path": "line1\nline2", "code": "500"]) == 7)
        #expect(exposition.sum("zc_requests_total", matching: ["path": "a,b}c=\"d\" \t é🙂"]) == 0.1)
        #expect(exposition.sum("zc_requests_total", matching: ["path": "/tenths"]) == 0.1 + 0.1 + 0.1)
        #expect(exposition.sum("zc_requests_total", matching: ["code": "200"]) == 3 + 2.5 + (0.1 + 0.1 + 0.1))
        let created = exposition.samples.filter { $0.name == "zc_requests_created" }
        #expect(created.count == 5)
        #expect(created.allSatisfy { $0.value > 1.5e9 && exposition.type(of: $0) == .gauge })
        #expect(exposition.sum("zc_restarts_total") == 4)

        // Gauges at NaN, ±Inf and extreme magnitudes.
        #expect(try #require(exposition.sum("zc_ratio", matching: ["kind": "nan"])).isNaN)
        #expect(try #require(exposition.sum("zc_ratio")).isNaN)
        #expect(exposition.sum("zc_ratio", matching: ["kind": "inf"]) == .infinity)
        #expect(exposition.sum("zc_ratio", matching: ["kind": "neginf"]) == -.infinity)
        #expect(exposition.sum("zc_ratio", matching: ["kind": "tiny"]) == 1.5e-7)
        #expect(exposition.sum("zc_ratio", matching: ["kind": "huge"]) == 6.02214076e23)

        // Histogram and summary samples are parsed, typed, and skipped by `sum`.
        let infBucket = try #require(
            exposition.samples.first { $0.name == "zc_latency_seconds_bucket" && $0.labels["le"] == "+Inf" })
        #expect(infBucket.value == 4 && infBucket.labels["route"] == "/x")
        #expect(exposition.type(of: infBucket) == .histogram)
        #expect(exposition.family(of: infBucket) == "zc_latency_seconds")
        #expect(exposition.samples.first { $0.name == "zc_latency_seconds_sum" }?.value == 55.55)
        for name in ["zc_latency_seconds_bucket", "zc_latency_seconds_sum", "zc_latency_seconds_count"] {
            #expect(exposition.sum(name) == nil, "\(name) belongs to a histogram")
        }
        #expect(exposition.sum("zc_latency_seconds_created", matching: ["route": "/x"]) != nil)
        let summaryCount = try #require(exposition.samples.first { $0.name == "zc_payload_bytes_count" })
        #expect(summaryCount.value == 2 && exposition.type(of: summaryCount) == .summary)
        #expect(exposition.sum("zc_payload_bytes_count") == nil)
        #expect(exposition.sum("zc_payload_bytes_sum") == nil)

        // Info and Enum are gauges.
        #expect(exposition.sum("zc_build_info", matching: ["version": "1.2.3", "commit": "abc"]) == 1)
        #expect(exposition.sum("zc_state") == 1)
        #expect(exposition.sum("zc_state", matching: ["zc_state": "running"]) == 1)
        #expect(exposition.sum("zc_state", matching: ["zc_state": "stopped"]) == 0)
    }

    // MARK: Syntax

    @Test("blanks, tabs, comments, empty and trailing-comma label sets, CRLF and a last line without newline")
    func syntaxVariants() throws {
        let text =
            "  \t# an indented comment\n#\n# HELP\n\n#HELP spaced Help\twith a tab.   \n# TYPE  spaced\tgauge\n"
            + "spaced{} 1\n\tspaced   { a = \"1\" , b=\"2\", }\t 2   1000  \nempty_labels{ } 3\n"
            + "colon:metric:name 4\r\n_underscore 5\r\ntrailing_comma{a=\"x\",} 6\r\n# TYPE lower untyped\n"
            + "last_line{q=\"}, =\\\\#\",u=\"ünï 🙂\"} 7"
        let exposition = try PrometheusTextParser.parse(text)
        #expect(
            exposition.samples == [
                PrometheusSample(name: "spaced", value: 1),
                PrometheusSample(name: "spaced", labels: ["a": "1", "b": "2"], value: 2, timestampMilliseconds: 1000),
                PrometheusSample(name: "empty_labels", value: 3),
                PrometheusSample(name: "colon:metric:name", value: 4),
                PrometheusSample(name: "_underscore", value: 5),
                PrometheusSample(name: "trailing_comma", labels: ["a": "x"], value: 6),
                PrometheusSample(name: "last_line", labels: ["q": "}, =\\#", "u": "ünï 🙂"], value: 7),
            ])
        #expect(exposition.help == ["spaced": "Help\twith a tab."])
        #expect(exposition.types == ["spaced": .gauge, "lower": .untyped])
    }

    @Test("CRLF and LF texts, and the String and byte entry points, give the same exposition")
    func entryPointsAgree() throws {
        let lf = try PrometheusTextParser.parse(Self.zeroClawText)
        let crlf = try PrometheusTextParser.parse(Self.zeroClawText.replacingOccurrences(of: "\n", with: "\r\n"))
        let bytes = try PrometheusTextParser.parse(Array(Self.zeroClawText.utf8))
        #expect(crlf.samples == lf.samples && bytes.samples == lf.samples)
        #expect(crlf.help == lf.help && bytes.help == lf.help)
        #expect(crlf.types == lf.types && bytes.types == lf.types)
        #expect(try PrometheusTextParser.parse("").samples.isEmpty)
        #expect(try PrometheusTextParser.parse("\n\r\n  \n# only comments\n").samples.isEmpty)
    }

    @Test(
        "sample values as Go's ParseFloat reads them",
        arguments: [
            ("42", 42.0), ("-1.5e3", -1500), ("1E-3", 0.001), (".5", 0.5), ("5.", 5), ("+1.5", 1.5), ("00012", 12),
            ("1.7560473e+07", 17_560_473), ("0.1", 0.1), ("0.3", 0.3), ("2.675", 2.675),
            ("0.30000000000000004", 0.1 + 0.2), ("1e22", 1e22),
            ("1e23", 1e23), ("123456789012345678901234567890", 1.2345678901234568e29),
            ("9007199254740993", 9_007_199_254_740_992), ("4.9e-324", .leastNonzeroMagnitude), ("1e-400", 0),
            ("1.7976931348623157e308", .greatestFiniteMagnitude), ("+Inf", .infinity), ("Inf", .infinity),
            ("inf", .infinity), ("+infinity", .infinity), ("-Inf", -.infinity), ("-INFINITY", -.infinity),
        ])
    func values(text: String, expected: Double) throws {
        let sample = try #require(try PrometheusTextParser.parse("x \(text)").samples.first)
        #expect(sample.value.bitPattern == expected.bitPattern, "\(text) parsed as \(sample.value)")
    }

    @Test("NaN in any case, and negative zero")
    func specialValues() throws {
        let exposition = try PrometheusTextParser.parse("a NaN\nb nan\nc -0\nd 0")
        #expect(exposition.samples[0].value.isNaN && exposition.samples[1].value.isNaN)
        #expect(exposition.samples[2].value == 0 && exposition.samples[2].value.sign == .minus)
        #expect(exposition.samples[3].value.sign == .plus)
    }

    @Test("timestamps are 64-bit milliseconds, signed")
    func timestamps() throws {
        let exposition = try PrometheusTextParser.parse(
            "a 1 0\nb 1 -3982045\nc 1 +5\nd 1 9223372036854775807\ne 1 -9223372036854775808\nf 1")
        #expect(exposition.samples.map(\.timestampMilliseconds) == [0, -3_982_045, 5, .max, .min, nil])
    }

    @Test("HELP docstrings are unescaped; a bare HELP is a comment, a HELP without text is empty")
    func helpText() throws {
        let exposition = try PrometheusTextParser.parse(
            #"""
            # HELP a Line one\nline two \\ and a "quote" \" escaped.
            # HELP b
            # HELP
            # HELPFUL c d
            # TYPE
            """#)
        #expect(exposition.help == ["a": "Line one\nline two \\ and a \"quote\" \" escaped.", "b": ""])
        #expect(exposition.types.isEmpty)
    }

    @Test("family, type and sum: histogram and summary parts are skipped, look-alike names of other types are not")
    func familiesAndSums() throws {
        let exposition = try PrometheusTextParser.parse(
            """
            # TYPE g gauge
            g{a="1"} 1
            g_count 2
            # TYPE s summary
            s{quantile="0.5"} 3
            s_sum 4
            s_count 5
            s_bucket 6
            plain_count 7
            """)
        let names = exposition.samples.map { exposition.family(of: $0) }
        #expect(names == ["g", "g_count", "s", "s", "s", "s_bucket", "plain_count"])
        #expect(
            exposition.samples.map { exposition.type(of: $0) } == [
                .gauge, .untyped, .summary, .summary, .summary, .untyped, .untyped,
            ])
        #expect(exposition.sum("g_count") == 2)
        #expect(exposition.sum("s_bucket") == 6, "a summary has no buckets: s_bucket is its own, untyped family")
        #expect(exposition.sum("plain_count") == 7)
        #expect(exposition.sum("s") == nil && exposition.sum("s_sum") == nil && exposition.sum("s_count") == nil)
        #expect(exposition.sum("g", matching: ["a": "1"]) == 1)
        #expect(exposition.sum("g", matching: ["a": "2"]) == nil)
        #expect(exposition.sum("g", matching: ["b": "1"]) == nil)
        #expect(exposition.sum("missing") == nil)
    }

    // MARK: Refusals

    struct Refusal: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int
        /// Words the reason must contain.
        let says: [String]

        init(_ text: String, line: Int = 1, _ says: String...) {
            self.text = text
            self.line = line
            self.says = says
        }

        var testDescription: String { text.debugDescription }
    }

    static let refusals: [Refusal] = [
        Refusal("ok 1\nx{a=\"1\",b=\"2\",a=\"3\"} 1", line: 2, #"label "a""#, "twice"),
        Refusal(#"x{a="b\qc"} 1"#, #"invalid escape sequence '\q'"#, #"label "a""#),
        Refusal("x{a=\"b\\\tc\"} 1", "invalid escape sequence", "byte 0x9"),
        Refusal(#"x{a="abc} 1"#, #"value of label "a" is not terminated"#),
        Refusal(#"x{a="abc\"} 1"#, #"value of label "a" is not terminated"#),
        Refusal("x{a=\"line1\nline2\"} 1", #"value of label "a" is not terminated"#),
        Refusal(#"x{a="b"}"#, "sample of x has no value"),
        Refusal("ok 1\r\n\r\nx  \t\r\n", line: 3, "sample of x has no value"),
        Refusal("x{}", "sample of x has no value"),
        Refusal("x 1 1395066363000 extra", "unexpected 'extra' after the timestamp of x"),
        Refusal("x 1 1395066363000 1", "unexpected '1' after the timestamp of x"),
        Refusal("x 1 1.5", "timestamp '1.5' of x", "whole number of milliseconds"),
        Refusal("x 1 9223372036854775808", "timestamp '9223372036854775808'"),
        Refusal("x 1 -", "timestamp '-'"),
        Refusal("x abc", "value 'abc' of x is not a number"),
        Refusal("x 0x1p3", "value '0x1p3'", "not a number"),
        Refusal("x 0x10", "value '0x10'", "not a number"),
        Refusal("x 1_000", "value '1_000'", "not a number"),
        Refusal("x +NaN", "value '+NaN'", "not a number"),
        Refusal("x Infinit", "value 'Infinit'", "not a number"),
        Refusal("x 1.2.3", "value '1.2.3'", "not a number"),
        Refusal("x .", "value '.'", "not a number"),
        Refusal("x 1e", "value '1e'", "not a number"),
        Refusal("x 1e+", "value '1e+'", "not a number"),
        Refusal("x --1", "value '--1'", "not a number"),
        Refusal("x 1e400", "value '1e400' of x is out of the range of a 64-bit float"),
        Refusal("x -1e400", "value '-1e400'", "out of the range"),
        Refusal("x{a=\"b\"}1x", "value '1x'", "not a number"),
        Refusal("1x 1", "expected a metric name", "found '1'"),
        Refusal("x-y 1", "unexpected '-' after metric name x"),
        Refusal("x.y 1", "unexpected '.' after metric name x"),
        Refusal("} 1", "expected a metric name", "found '}'"),
        Refusal("{a=\"b\"} 1", "expected a metric name", "found '{'"),
        Refusal(#"x{1a="b"} 1"#, "expected a label name", "found '1'"),
        Refusal(#"x{a:b="c"} 1"#, #"expected '=' after label name "a""#, "found ':'"),
        Refusal(#"x{a "b"} 1"#, #"expected '=' after label name "a""#, #"found '"'"#),
        Refusal("x{a=b} 1", #"expected '"' to open the value of label "a""#, "found 'b'"),
        Refusal("x{a='b'} 1", #"expected '"' to open the value of label "a""#, "found '''"),
        Refusal(#"x{a="b" 1"#, #"expected ',' or '}' after the value of label "a""#, "found '1'"),
        Refusal(#"x{a="b" c="d"} 1"#, "expected ',' or '}'", "found 'c'"),
        Refusal(#"x{a="b","#, "label set is not closed"),
        Refusal("x{", "label set is not closed"),
        Refusal("x{,} 1", "expected a label name", "found ','"),
        Refusal(#"x{a="b",,} 1"#, "expected a label name", "found ','"),
        Refusal(#"x{__name__="y"} 1"#, "__name__", "reserved"),
        Refusal(#"x{a=~"b"} 1"#, #"label "a""#, "'=~'"),
        Refusal(#"x{a!="b"} 1"#, #"label "a""#, "'!='"),
        Refusal(#"# HELP x a\tb"#, #"invalid escape sequence '\t' in HELP text"#),
        Refusal(#"# HELP x ends with \"#, "HELP text ends with a lone"),
        Refusal("# HELP 1x text", "invalid metric name '1x' in a HELP line"),
        Refusal("# TYPE x-y counter", "invalid metric name 'x-y' in a TYPE line"),
        Refusal("# TYPE x gaugehistogram", "unknown metric type 'gaugehistogram' for x"),
        Refusal("# TYPE x counter extra", "unknown metric type 'counter extra'"),
        Refusal("# TYPE x", "TYPE line for x names no type", "counter, gauge, histogram, summary or untyped"),
        Refusal("# TYPE x counter\n# TYPE x gauge", line: 2, "second TYPE line for x"),
        Refusal("# HELP x one\n\n# HELP x two", line: 3, "second HELP line for x"),
        Refusal("x 1\n# TYPE x counter", line: 2, "TYPE line for x comes after a sample of x"),
        Refusal(
            "h_bucket{le=\"+Inf\"} 1\n# TYPE h histogram", line: 2, "TYPE line for h comes after a sample of h_bucket"),
        Refusal("s_count 1\n# TYPE s summary", line: 2, "TYPE line for s comes after a sample of s_count"),
        Refusal(
            "# comment\r\n\r\nx 1\r\n   \r\n# TYPE y gauge\r\ny{a=\"b\"}\r\nz 1\r\n", line: 6,
            "sample of y has no value"),
    ]

    @Test("refusals name the line and say what is wrong", arguments: refusals)
    func refusal(_ refusal: Refusal) {
        do {
            let exposition = try PrometheusTextParser.parse(refusal.text)
            Issue.record("accepted, giving \(exposition.samples)")
        } catch {
            #expect(error.line == refusal.line, "\(error)")
            for words in refusal.says {
                #expect(error.reason.contains(words), "reason: \(error.reason)")
            }
            #expect(error.description == "line \(refusal.line): \(error.reason)")
        }
    }

    @Test("refusals of what only bytes can carry: invalid UTF-8 in a label value or a docstring")
    func invalidUTF8() {
        let cases: [([UInt8], String)] = [
            (Array("ok 1\nx{a=\"".utf8) + [0xFF] + Array("\"} 1".utf8), #"the value of label "a" is not valid UTF-8"#),
            (
                Array("ok 1\nx{a=\"\\n".utf8) + [0xC3] + Array("\"} 1".utf8),
                #"the value of label "a" is not valid UTF-8"#
            ),
            (Array("ok 1\n# HELP x caf".utf8) + [0xE9], "the HELP text is not valid UTF-8"),
        ]
        for (bytes, reason) in cases {
            #expect(throws: PrometheusParseError(line: 2, reason: reason)) { try PrometheusTextParser.parse(bytes) }
        }
        let comment = Array("# caf".utf8) + [0xE9] + Array("\nx 1".utf8)
        #expect((try? PrometheusTextParser.parse(comment))?.samples.count == 1, "comments are not decoded")
    }
}

extension PrometheusTextParserTests {
    @Suite("Prometheus selectors from configuration")
    struct Selector {
        @Test("a plain name, and a name with equality matchers")
        func parsing() throws {
            let plain = try PrometheusSelector(parsing: "zeroclaw_messages_total")
            #expect(plain.name == "zeroclaw_messages_total" && plain.labels.isEmpty)
            #expect(plain.description == "zeroclaw_messages_total")
            let input = try PrometheusSelector(parsing: #"zeroclaw_tokens_total{direction="input"}"#)
            #expect(input.name == "zeroclaw_tokens_total" && input.labels == ["direction": "input"])
            #expect(input.description == #"zeroclaw_tokens_total{direction="input"}"#)
            let spaced = try PrometheusSelector(parsing: " \tns:metric { b = \"2\" , a=\"1\", } ")
            #expect(spaced == (try PrometheusSelector(name: "ns:metric", labels: ["a": "1", "b": "2"])))
            #expect(spaced.description == #"ns:metric{a="1",b="2"}"#, "labels are written sorted")
            #expect(try PrometheusSelector(parsing: "x{}").labels.isEmpty)
            #expect(try PrometheusSelector(parsing: "x{}").description == "x")
        }

        @Test(
            "description round-trips, escapes included",
            arguments: [
                "x", "zeroclaw_tokens_total{direction=\"output\"}", #"x{a="",b="sim\"model",c="C:\\dir",d="l1\nl2"}"#,
                "zeroclaw_channel_messages_total{channel=\"telegram\",direction=\"inbound\"}", "x{u=\"ünï 🙂\"}",
            ])
        func roundTrip(_ text: String) throws {
            let selector = try PrometheusSelector(parsing: text)
            #expect(selector.description == text)
            #expect(try PrometheusSelector(parsing: selector.description) == selector)
        }

        @Test("unescaped values are what samples are matched against")
        func matching() throws {
            let selector = try PrometheusSelector(parsing: #"m{model="sim\"model",provider="openrouter"}"#)
            #expect(selector.labels["model"] == #"sim"model"#)
            let sample = PrometheusSample(
                name: "m", labels: ["model": #"sim"model"#, "provider": "openrouter", "extra": "y"], value: 1)
            #expect(selector.matches(sample))
            var other = sample
            other.labels["provider"] = "ollama"
            #expect(!selector.matches(other))
            other = sample
            other.name = "m_total"
            #expect(!selector.matches(other))
            other = sample
            other.labels["model"] = nil
            #expect(!selector.matches(other))
        }

        @Test(
            "refusals say what is wrong",
            arguments: [
                ("", "the selector is empty"), ("  ", "the selector is empty"),
                (#"{a="b"}"#, "expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) at the start, found '{'"),
                ("1abc", "expected a metric name"), ("x y", "unexpected 'y' after metric name x"),
                ("x-y", "unexpected '-y' after metric name x"),
                (#"x{a="b"} extra"#, "unexpected 'extra' after the label set"),
                ("x{a=b}", #"expected '"' to open the value of label "a", found 'b'"#),
                (#"x{a="b""#, "the label set is not closed"),
                (#"x{a="b}"#, #"the value of label "a" is not terminated"#),
                (#"x{a="1",a="2"}"#, #"label "a" appears twice"#),
                (#"x{a=~"b.*"}"#, #"label "a" uses the matcher '=~'; only '=' with a quoted value is allowed"#),
                (#"x{a!="b"}"#, "uses the matcher '!='"), (#"x{a!~"b"}"#, "uses the matcher '!~'"),
                (#"x{a="\t"}"#, #"invalid escape sequence '\t'"#), ("x{__name__=\"y\"}", "reserved"),
            ])
        func refusal(text: String, says: String) {
            do {
                let selector = try PrometheusSelector(parsing: text)
                Issue.record("accepted as \(selector)")
            } catch {
                #expect(error.field == "selector")
                #expect(error.message.contains(says), "message: \(error.message)")
                #expect(error.message.hasSuffix("(in '\(text)')"), "message: \(error.message)")
            }
        }

        @Test("names are checked when built from parts")
        func checkedParts() throws {
            #expect(throws: ValidationError.self) { try PrometheusSelector(name: "") }
            #expect(throws: ValidationError.self) { try PrometheusSelector(name: "a b") }
            #expect(throws: ValidationError.self) { try PrometheusSelector(name: "x", labels: ["a:b": "1"]) }
            #expect(throws: ValidationError.self) { try PrometheusSelector(name: "x", labels: ["__name__": "1"]) }
            #expect(try PrometheusSelector(name: "a:b_c", labels: ["_x1": "v"]).description == #"a:b_c{_x1="v"}"#)
        }
    }
}
