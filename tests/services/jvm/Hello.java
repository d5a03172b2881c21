// A small HTTP server on the JDK's com.sun.net.httpserver: GET /hello
// answers and appends the request to /var/log/hello/requests.log.  Served
// on 127.0.0.1:8080 until the process is stopped.
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

public class Hello {
    public static void main(String[] args) throws Exception {
        Path log = Path.of("/var/log/hello/requests.log");
        HttpServer server =
            HttpServer.create(new InetSocketAddress("127.0.0.1", 8080), 0);
        server.createContext("/hello", exchange -> {
            Files.writeString(log, "GET /hello\n", StandardOpenOption.CREATE,
                              StandardOpenOption.APPEND);
            byte[] body = "hello from the jvm\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }
}
