package io.cmis.platform.server;

import io.cmis.platform.config.BuildInfo;
import io.cmis.platform.health.DashboardData;
import io.cmis.platform.health.HealthReport;
import io.cmis.platform.health.HealthStatus;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.cmis.platform.server.Html.escape;

/**
 * {@code GET /}: one self-contained page, rendered on the server, that refreshes itself every 30 s.
 * No script, font or stylesheet from elsewhere: it works offline and behind any proxy. Charts are
 * inline SVG; the layout is one column on a phone and a grid on a laptop. No {@code style} attribute:
 * the Content-Security-Policy allows the one stylesheet by its hash and nothing else.
 */
final class DashboardPage {
    private static final String STYLE = """
            :root{--ok:#1a7f37;--warn:#9a6700;--crit:#cf222e;--unk:#57606a;--line:#d0d7de}
            *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;
            color:#1f2328;background:#f6f8fa}header{padding:16px 20px;background:#fff;border-bottom:1px solid var(--line)}
            h1{font-size:20px;margin:0}h2{font-size:15px;margin:0 0 8px}main{padding:16px;display:grid;gap:16px;
            grid-template-columns:repeat(auto-fit,minmax(300px,1fr))}section{background:#fff;border:1px solid var(--line);
            border-radius:8px;padding:14px}.badge{display:inline-block;padding:2px 10px;border-radius:999px;color:#fff;
            font-weight:600;text-transform:uppercase;font-size:12px;white-space:nowrap}.healthy{background:var(--ok)}
            .warning{background:var(--warn)}.critical{background:var(--crit)}.unknown{background:var(--unk)}
            table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:4px 6px;border-top:1px solid var(--line);
            vertical-align:top}th{font-weight:600;color:#57606a;white-space:nowrap}section{overflow-x:auto}
            .wrap{overflow-wrap:anywhere}.num{text-align:right;font-variant-numeric:tabular-nums}
            .muted{color:#57606a}svg{width:100%;height:auto}.wide{grid-column:1/-1}
            .charts{display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(260px,1fr))}figure{margin:0}
            """;
    /** The page's Content-Security-Policy: no script at all, and only this stylesheet (by its hash). */
    static final String POLICY = Html.policy(STYLE);

    private DashboardPage() {
    }

    static String render(HealthReport report, DashboardData.Snapshot data) {
        StringBuilder html = new StringBuilder(16_384);
        html.append("<!doctype html><html lang=en><head><meta charset=utf-8>")
                .append("<meta name=viewport content='width=device-width,initial-scale=1'>")
                .append("<meta http-equiv=refresh content=30><title>cmis-platform: ")
                .append(report.status().text()).append("</title><style>").append(STYLE).append("</style></head><body>")
                .append("<header><h1>cmis-platform <span id=overall class='badge ").append(report.status().text())
                .append("'>").append(report.status().text()).append("</span></h1><div class=muted>evaluated ")
                .append(escape(report.timestamp().toString())).append(" · refreshes every 30 s</div></header><main>");
        components(html, report);
        charts(html, data);
        reauth(html, data.reauth());
        deadLetters(html, data.deadLetters());
        html.append("</main><footer class=muted id=build>cmis-platform ")
                .append(escape(BuildInfo.current().describe())).append("</footer></body></html>");
        return html.toString();
    }

    @SuppressWarnings("unchecked")
    private static void components(StringBuilder html, HealthReport report) {
        html.append("<section><h2>Components</h2><table id=components>");
        report.components().forEach((name, value) -> {
            HealthStatus status = HealthReport.worstOf(value);
            html.append("<tr><th>").append(escape(name)).append("</th><td><span class='badge ").append(status.text())
                    .append("'>").append(status.text()).append("</span></td></tr>");
        });
        html.append("</table></section>");
        Map<String, Object> integrations = (Map<String, Object>) report.components().get("integrations");
        Map<String, Object> webhooks = (Map<String, Object>) report.components().get("webhooks");
        if (integrations != null && webhooks != null) {
            html.append("<section><h2>Integrations and webhooks</h2><table id=numbers>");
            row(html, "integrations", integrations.get("total"));
            row(html, "active", integrations.get("active"));
            row(html, "needs re-auth", integrations.get("needs_reauth"));
            row(html, "grants ending soon", integrations.get("expiring_soon"));
            row(html, "webhooks queued", webhooks.get("queued"));
            row(html, "pending retries", webhooks.get("pending_retries"));
            row(html, "dead letters", webhooks.get("dead_letter_queue"));
            row(html, "oldest waiting (s)", webhooks.get("oldest_queued_age_seconds"));
            row(html, "retry success (24 h)", percent(webhooks.get("retry_success_rate")));
            html.append("</table></section>");
        }
        Map<String, Object> breakers = (Map<String, Object>) report.components().get("circuit_breakers");
        if (breakers != null) {
            html.append("<section><h2>Circuit breakers</h2><table id=breakers>");
            breakers.forEach((platform, v) -> {
                Map<String, Object> b = (Map<String, Object>) v;
                Object until = b.get("open_until");
                html.append("<tr><th>").append(escape(platform)).append("</th><td><span class='badge ")
                        .append(HealthReport.worstOf(b).text()).append("'>").append(escape(String.valueOf(b.get("state"))))
                        .append("</span></td><td class=muted>")
                        .append(until == null ? "" : "until " + escape(until.toString())).append("</td></tr>");
            });
            html.append("</table></section>");
        }
    }

    private static void charts(StringBuilder html, DashboardData.Snapshot data) {
        html.append("<section class=wide><h2>Platform calls, last 24 h (per hour: success rate line, "
                + "average latency bars)</h2><div class=charts>");
        data.hours().forEach((platform, hours) -> {
            long calls = hours.stream().mapToLong(DashboardData.Hour::calls).sum();
            long ok = hours.stream().mapToLong(DashboardData.Hour::succeeded).sum();
            double maxMs = Math.max(1, hours.stream().mapToDouble(DashboardData.Hour::avgMillis).max().orElse(1));
            html.append("<figure id='chart-").append(escape(platform)).append("'><figcaption><b>")
                    .append(escape(platform)).append("</b> <span class=muted>").append(calls).append(" calls, ")
                    .append(calls == 0 ? "–" : percent((double) ok / calls)).append(" ok</span></figcaption>")
                    .append("<svg viewBox='0 0 245 80' role=img aria-label='").append(escape(platform))
                    .append(" calls per hour'><rect x=0 y=0 width=245 height=80 fill='#fff' stroke='#d0d7de'/>");
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < hours.size(); i++) {
                DashboardData.Hour hour = hours.get(i);
                double x = 5 + i * 10;
                double barHeight = hour.calls() == 0 ? 0 : 70 * hour.avgMillis() / maxMs;
                html.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='7' height='%.1f' "
                        + "fill='#54aeff'><title>%s: %d calls, %.0f ms</title></rect>", x, 75 - barHeight, barHeight,
                        escape(hour.start().toString()), hour.calls(), hour.avgMillis()));
                line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x + 3.5, 75 - 70 * hour.successRate()));
            }
            html.append("<polyline fill=none stroke='#1a7f37' stroke-width=2 points='").append(line.toString().trim())
                    .append("'/></svg></figure>");
        });
        html.append("</div></section>");
    }

    private static void reauth(StringBuilder html, List<DashboardData.Reauth> reauth) {
        html.append("<section><h2>Needs re-auth</h2>");
        if (reauth.isEmpty()) {
            html.append("<p class=muted id=reauth>none</p>");
        } else {
            html.append("<table id=reauth><tr><th>platform</th><th>account</th><th>org</th><th>why</th></tr>");
            for (DashboardData.Reauth r : reauth) {
                html.append("<tr><td>").append(escape(r.platform())).append("</td><td>")
                        .append(escape(String.valueOf(r.account()))).append("</td><td class=muted>")
                        .append(escape(r.orgId().toString().substring(0, 8))).append("</td><td class=wrap>")
                        .append(escape(String.valueOf(r.reason()))).append("</td></tr>");
            }
            html.append("</table>");
        }
        html.append("</section>");
    }

    private static void deadLetters(StringBuilder html, List<DashboardData.DeadLetter> dead) {
        html.append("<section><h2>Latest dead letters</h2>");
        if (dead.isEmpty()) {
            html.append("<p class=muted id=dead>none</p>");
        } else {
            html.append("<table id=dead><tr><th>platform</th><th>type</th><th>error</th></tr>");
            for (DashboardData.DeadLetter d : dead) {
                html.append("<tr><td>").append(escape(d.platform())).append("</td><td>")
                        .append(escape(String.valueOf(d.eventType()))).append("</td><td class=wrap>")
                        .append(escape(String.valueOf(d.error()))).append("</td></tr>");
            }
            html.append("</table>");
        }
        html.append("</section>");
    }

    private static void row(StringBuilder html, String name, Object value) {
        html.append("<tr><th>").append(escape(name)).append("</th><td class=num>")
                .append(escape(String.valueOf(value))).append("</td></tr>");
    }

    private static String percent(Object rate) {
        return rate instanceof Number n ? String.format(Locale.ROOT, "%.1f%%", 100 * n.doubleValue()) : "–";
    }
}
