package io.gannet.l4lb.health;

import io.gannet.l4lb.model.HealthCheckSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * HTTP(S) GET: healthy when the status is the expected one. HTTPS does not verify the
 * certificate or the host name: backends are addressed by IP, and the check is about
 * liveness, not identity (HAProxy's {@code check-ssl verify none}).
 */
final class HttpProbe implements Probe {
    private static final HttpProbe SHARED = new HttpProbe();
    private final HttpClient plain;
    private final HttpClient tls;

    private HttpProbe() {
        plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        tls = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).sslContext(trustAll()).sslParameters(noHostnameCheck()).build();
    }

    static HttpProbe shared() {
        return SHARED;
    }

    @Override
    public ProbeResult run(String address, int port, HealthCheckSpec spec) {
        boolean https = spec.type() == HealthCheckSpec.Type.HTTPS;
        String path = spec.path().startsWith("/") ? spec.path() : "/" + spec.path();
        try {
            // an IPv6 literal goes in brackets (RFC 3986 3.2.2): http://[2001:db8::5]:8080/
            String host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
            URI uri = URI.create((https ? "https://" : "http://") + host + ":" + port + path);
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(spec.timeout()).header("User-Agent", "gannet-l4lb-health")
                    .GET().build();
            HttpResponse<Void> r = (https ? tls : plain).send(req, HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == spec.expectStatus()) {
                return ProbeResult.OK;
            }
            return ProbeResult.failed("status " + r.statusCode() + ", expected " + spec.expectStatus());
        } catch (IOException e) {
            return ProbeResult.failed(Probe.reason(e));
        } catch (IllegalArgumentException e) {
            return ProbeResult.failed("bad health-check path '" + spec.path() + "'");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failed("interrupted");
        }
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM: " + e.getMessage(), e);
        }
    }

    private static SSLParameters noHostnameCheck() {
        SSLParameters p = new SSLParameters();
        p.setEndpointIdentificationAlgorithm(null);
        return p;
    }
}
