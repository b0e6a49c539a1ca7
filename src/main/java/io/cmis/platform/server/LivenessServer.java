package io.cmis.platform.server;

import io.cmis.platform.health.Liveness;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The HTTP side of {@code webhooks work}: only {@code GET /health/live}, answered as {@code serve}
 * answers it ({@link Liveness#answer}). It shows loop names and nothing of any org, so it needs no
 * admin token wherever it listens; every other path is 404.
 */
public final class LivenessServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private LivenessServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    public static LivenessServer start(InetSocketAddress address, Liveness liveness) throws IOException {
        // A few threads: one acceptor, one selector, and whoever asks (systemd, a load balancer, a person).
        QueuedThreadPool pool = new QueuedThreadPool(8, 2);
        pool.setName("cmis:live");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(30_000);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (request.getHttpURI().getPath().equals("/health/live")) {
                    Liveness.Answer answer = liveness.answer();
                    Responses.send(response, callback, answer.httpStatus(), "application/json",
                            CmisServer.json(answer.document()));
                } else {
                    Responses.send(response, callback, 404, "application/json", "{\"status\":\"not_found\"}");
                }
                return true;
            }
        });
        try {
            server.start();
        } catch (Exception e) {
            close(server);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        return new LivenessServer(server, connector);
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        close(server);
    }

    private static void close(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(LivenessServer.class).warn("stopping the liveness server: {}",
                    e.getMessage());
        }
    }
}
