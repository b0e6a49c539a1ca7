package io.cmis.platform.server;

import io.cmis.platform.api.ApiError;
import io.cmis.platform.api.ApiResponse;
import io.cmis.platform.api.ApiRoutes;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own answers (a request it refuses before any route: an encoded NUL in the path, a bad
 * header) under {@code /api/v1} in the API's one error shape with serve's headers, so an application
 * parses every answer of the API alike; elsewhere Jetty's as before. The message names the status
 * only, never what was sent. A target Jetty cannot parse at all ({@code %00}) reaches the handler as a
 * stand-in request ({@code /badMessage}), so {@link Connections} keeps each connection's latest
 * request target as it arrived.
 */
final class ApiErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!underApi(target(request))) {
            return super.handle(request, response, callback);
        }
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        if (status < 400 || status > 599) {
            status = HttpStatus.BAD_REQUEST_400;
        }
        String code = status >= 500 ? "internal" : status == 413 || status == 414 || status == 431 ? "too_large"
                : "invalid_request";
        ApiResponse answer = new ApiError(status, code, "the request could not be read (" + status + " "
                + HttpStatus.getMessage(status) + "); check its path, query and headers").response();
        answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        Responses.send(response, callback, answer.status(), "application/json", answer.json());
        return true;
    }

    /** The target as the client sent it when this connection recorded one, else the request's path. */
    private static String target(Request request) {
        if (request.getConnectionMetaData().getConnection() instanceof Connections.Recording recording
                && recording.target != null) {
            return recording.target;
        }
        try {
            return request.getHttpURI() == null ? null : request.getHttpURI().getPath();
        } catch (RuntimeException e) {
            return null; // a URI too broken to have a path is not known to be the API's
        }
    }

    static boolean underApi(String target) {
        if (target == null) {
            return false;
        }
        String path = target;
        int scheme = path.indexOf("://");
        if (scheme > 0 && !path.startsWith("/")) { // absolute-form: http://host/api/v1/...
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        return path.equals(ApiRoutes.BASE) || path.startsWith(ApiRoutes.BASE + "/") || path.startsWith(ApiRoutes.BASE + "?");
    }

    /** HTTP/1.1 connections that remember their latest request target, as sent, for the error handler. */
    static final class Connections extends HttpConnectionFactory {
        Connections(HttpConfiguration configuration) {
            super(configuration);
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            Recording connection = new Recording(getHttpConfiguration(), connector, endPoint);
            connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
            return configure(connection, connector, endPoint);
        }

        static final class Recording extends HttpConnection {
            /** Requests on one connection are read one after the other: the latest is the one failing. */
            private volatile String target;

            Recording(HttpConfiguration configuration, Connector connector, EndPoint endPoint) {
                super(configuration, connector, endPoint);
            }

            @Override
            protected RequestHandler newRequestHandler() {
                return new RequestHandler() {
                    @Override
                    public void startRequest(String method, String uri, HttpVersion version) {
                        target = uri;
                        super.startRequest(method, uri, version);
                    }
                };
            }
        }
    }
}
