package io.gannet.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test-side parser itself, on the exposition format's own examples and on broken input. */
class PrometheusTextParserTest {

    @Test
    void parsesTheFormatsExample() {
        String text = """
                # HELP http_requests_total The total number of HTTP requests.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027 1395066363000
                http_requests_total{method="post",code="400"}    3 1395066363000

                # Escaping in label values:
                msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

                metric_without_timestamp_and_labels 12.47
                something_weird{problem="division by zero"} +Inf -3982045
                # HELP http_request_duration_seconds A histogram of the request duration.
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="0.05"} 24054
                http_request_duration_seconds_bucket{le="0.1"} 33444
                http_request_duration_seconds_bucket{le="+Inf"} 144320
                http_request_duration_seconds_sum 53423
                http_request_duration_seconds_count 144320
                """;
        Map<String, PrometheusTextParser.Family> f = PrometheusTextParser.parse(text);
        assertThat(f.get("http_requests_total").type()).isEqualTo("counter");
        assertThat(PrometheusTextParser.find(f, "http_requests_total", "code", "400").value()).isEqualTo(3);
        assertThat(PrometheusTextParser.find(f, "msdos_file_access_time_seconds").labels())
                .containsEntry("path", "C:\\DIR\\FILE.TXT").containsEntry("error", "Cannot find file:\n\"FILE.TXT\"");
        assertThat(PrometheusTextParser.find(f, "something_weird").value()).isInfinite();
        assertThat(f.get("http_request_duration_seconds").samples()).hasSize(5);
    }

    @Test
    void rejectsBrokenInput() {
        String[] broken = {
            "1bad_name 1",
            "ok{le=\"x} 1",
            "ok{le=\"x\\q\"} 1",
            "ok{a=\"1\",a=\"2\"} 1",
            "ok{9a=\"1\"} 1",
            "ok one",
            "ok 1 2 3",
            "a 1\nb 1\na{x=\"1\"} 1",
            "a 1\na 2",
            "a 1\n# TYPE a gauge",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"+Inf\"} 4\nh_sum 1\nh_count 4",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_sum 1\nh_count 5",
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 5\nh_sum 1\nh_count 6",
        };
        for (String b : broken) {
            assertThatThrownBy(() -> PrometheusTextParser.parse(b)).as(b).isInstanceOf(PrometheusTextParser.ParseException.class);
        }
    }
}
