package kommunetz;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Starts a Neo4j Community DBMS with a Bolt connector on 127.0.0.1 and keeps it running
 * until the process is terminated or its standard input closes.
 *
 * Usage: Neo4jLauncher HOME_DIR PORT PASSWORD
 *
 * Prints exactly one line "READY bolt://127.0.0.1:PORT" once Bolt accepts connections, so
 * that the caller (pytest fixture, `make neo4j`) can wait for it without polling the port.
 */
public final class Neo4jLauncher {
    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: Neo4jLauncher HOME_DIR PORT PASSWORD");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = args[2];

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(512))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));

        // The built-in user starts with password "neo4j" and a forced change; set ours so that
        // clients can log in straight away. The embedded API runs with full rights.
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException e) {
            // A restart on the same HOME_DIR finds our password already set; Neo4j refuses
            // to "change" it to itself, which is exactly the state we want.
            String message = String.valueOf(e.getMessage());
            if (!message.contains("Old password and new password cannot be the same")) {
                System.err.println("could not set the password: " + message);
                System.exit(1);
            }
        }

        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();

        // Stop when the parent closes our stdin (pytest fixture) or sends SIGTERM (make neo4j-stop).
        Thread stdinWatch = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // discard
                }
            } catch (Exception ignored) {
                // stdin gone: treat like EOF
            }
            if (!"1".equals(System.getenv("KOMMUNETZ_NEO4J_DETACHED"))) {
                System.exit(0);
            }
        }, "stdin-watch");
        stdinWatch.setDaemon(true);
        stdinWatch.start();
        stopped.await();
    }
}
