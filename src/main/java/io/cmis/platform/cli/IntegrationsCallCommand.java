package io.cmis.platform.cli;

import io.cmis.platform.proxy.ProxyAnswer;
import io.cmis.platform.proxy.ProxyRefusedException;
import io.cmis.platform.proxy.ProxyRequest;
import io.cmis.platform.proxy.ProxyService;
import io.cmis.platform.proxy.ProxySettings;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tokens.AccessTokens;
import io.cmis.platform.tokens.TokenSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code integrations call}: one platform call with an integration's token, through the same guarded
 * proxy as {@code /api/v1/proxy/...} ({@link ProxyService}): the platform's body on stdout, its status
 * and outcome on stderr.
 */
@Command(name = "call", description = "Call the integration's platform through the guarded proxy, as "
        + "/api/v1/proxy/{id}/{api}/{path} does: token refreshed first when due, rate limits and the breaker "
        + "respected, the call logged. PATH is below the API's base at the configured version (e.g. me/accounts). "
        + "Prints the platform's body on stdout (a binary one byte for byte; to a terminal only its type and size) "
        + "and 'HTTP <status> <outcome>' on stderr; exit 0 on 2xx, 1 otherwise.")
final class IntegrationsCallCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "INTEGRATION_ID", converter = Converters.Id.class)
    UUID integration;

    @Parameters(index = "1", paramLabel = "METHOD", description = "GET, HEAD, OPTIONS, POST, PUT or DELETE; "
            + "PATCH where the API takes it as a POST with X-HTTP-Method-Override (Google's ads and youtube).")
    String method;

    @Parameters(index = "2", paramLabel = "PATH", description = "Below the API's base, with its query if any "
            + "(percent-encoded as the platform expects it).")
    String path;

    @Option(names = "--api", paramLabel = "NAME", description = "One of the platform's proxy APIs (Meta graph, Google "
            + "ads or youtube, TikTok business, Snapchat ads, LinkedIn rest, X ads); default: the platform's first.")
    String api;

    @Option(names = "--data", paramLabel = "@FILE|-", description = "The body: @FILE reads the file, '-' stdin, "
            + "anything else is the body itself.")
    String data;

    @Option(names = "--header", paramLabel = "K:V", description = "A header to pass on (only those the proxy "
            + "passes: Content-Type, Accept, If-None-Match, Idempotency-Key, ...); repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--output", paramLabel = "FILE", description = "Write the platform's body to FILE (created "
            + "0600, replaced if it exists) instead of stdout; the status line still goes to stderr.")
    Path output;

    IntegrationsCallCommand(CliContext context) {
        this.context = context;
    }

    /** The proxy as serve and this command build it. */
    static ProxyService proxy(CliContext context) {
        TokenSettings settings = TokenSettings.from(context.config());
        AccessTokens tokens = new AccessTokens(context.tenancy(), context.vault(), context.platforms().registry(),
                new io.cmis.platform.tokens.TokenRefresher(context.tenancy(), context.vault(),
                        context.platforms().registry(), settings, context.clock()), settings, context.clock());
        return new ProxyService(context.tenancy(), context.platforms().registry(), context.platforms().http(), tokens,
                ProxySettings.from(context.config()), context.clock());
    }

    @Override
    public Integer call() {
        String verb = method.toUpperCase(Locale.ROOT);
        if (!ProxyService.METHODS.contains(verb)) {
            throw new UsageException("METHOD must be one of " + String.join(", ", new java.util.TreeSet<>(ProxyService.METHODS))
                    + ", got " + method);
        }
        Map<String, String> given = new LinkedHashMap<>();
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon < 1 || header.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new UsageException("--header must be NAME:VALUE without control characters, got '"
                        + header.replaceAll("\\p{Cntrl}", "?") + "'");
            }
            given.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        io.cmis.platform.integrations.Integration found = IntegrationsCommand.service(context).show(integration);
        OrgId org = new OrgId(found.orgId());
        ProxyService proxy = proxy(context);
        List<String> apis = context.platforms().registry().get(found.platform()).proxyApis().stream()
                .map(io.cmis.platform.platforms.ProxyApi::name).toList();
        String apiName = api != null ? api : apis.isEmpty() ? "" : apis.get(0);
        if (!apis.contains(apiName)) {
            throw new UsageException("--api must be one of " + found.platform() + "'s proxy APIs " + apis + ", got "
                    + (api == null ? "none" : api));
        }
        if (output != null && (Files.isDirectory(output) || output.toAbsolutePath().getParent() == null
                || !Files.isDirectory(output.toAbsolutePath().getParent()))) {
            throw new UsageException("--output " + output + ": not a file in an existing directory");
        }
        String rest = path.startsWith("/") ? path.substring(1) : path;
        int q = rest.indexOf('?');
        byte[] body = body();
        ProxyAnswer answer;
        try {
            answer = proxy.call(new ProxyRequest(org, integration, apiName, verb, q < 0 ? rest : rest.substring(0, q),
                    q < 0 ? null : rest.substring(q + 1), given, body));
        } catch (ProxyRefusedException e) {
            if (e.status() == 400 || e.status() == 405 || e.status() == 413) {
                throw new UsageException(e.code() + ": " + e.getMessage());
            }
            context.notice("error: " + e.code() + ": " + e.getMessage()
                    + e.retryAfterSeconds().map(s -> " (retry after " + s + " s)").orElse(""));
            return ExitCodes.SOME_FAILED;
        }
        byte[] bytes = answer.body() == null ? new byte[0] : answer.body();
        String type = answer.contentType() == null ? "no content type" : answer.contentType();
        if (output != null) {
            write(bytes);
            context.notice("HTTP " + answer.status() + " " + answer.outcome());
            context.notice(bytes.length + " bytes (" + type + ") written to " + output);
        } else if (text(answer.contentType())) {
            context.printer().line(new String(bytes, StandardCharsets.UTF_8));
            context.notice("HTTP " + answer.status() + " " + answer.outcome());
        } else if (context.printer().terminal() && bytes.length > 0) {
            context.notice("HTTP " + answer.status() + " " + answer.outcome());
            context.notice("a binary body (" + type + ", " + bytes.length + " bytes) is not printed to a terminal; "
                    + "save it with --output FILE or redirect stdout");
        } else {
            context.printer().bytes(bytes);
            context.notice("HTTP " + answer.status() + " " + answer.outcome());
        }
        return answer.success() ? ExitCodes.OK : ExitCodes.SOME_FAILED;
    }

    /** JSON, XML, a form and text/*: printed as text; anything else (or nothing named) is bytes. */
    static boolean text(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml") || type.equals("application/x-www-form-urlencoded");
    }

    /** The body to {@link #output}, readable by its owner only (it may hold what the platform would not show others). */
    private void write(byte[] bytes) {
        try {
            java.nio.file.attribute.FileAttribute<?> ownerOnly = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            if (!Files.exists(output)) {
                Files.createFile(output, ownerOnly);
            }
            Files.setPosixFilePermissions(output, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.write(output, bytes, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                    java.nio.file.StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            throw new UsageException("--output " + output + ": cannot write it (" + e.getClass().getSimpleName() + ")");
        }
    }

    private byte[] body() {
        if (data == null) {
            return new byte[0];
        }
        try {
            if (data.equals("-")) {
                return System.in.readAllBytes();
            }
            if (data.startsWith("@")) {
                return Files.readAllBytes(Path.of(data.substring(1)));
            }
        } catch (IOException | RuntimeException e) {
            throw new UsageException("--data " + data + ": cannot read it (" + e.getClass().getSimpleName() + ")");
        }
        return data.getBytes(StandardCharsets.UTF_8);
    }
}
