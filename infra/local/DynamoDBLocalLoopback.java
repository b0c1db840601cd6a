// Starts DynamoDB Local listening on 127.0.0.1 only.
//
// DynamoDB Local has no option for the listen address: its own main() makes Jetty listen on
// every interface. This launcher builds the server with DynamoDB Local's own argument parsing,
// sets the host of its Jetty connector to 127.0.0.1, then starts it. It also skips the
// telemetry set-up that DynamoDB Local's main() does. stack.sh runs it in Java's single-file
// source mode (java -cp DynamoDBLocal.jar DynamoDBLocalLoopback.java <DynamoDB Local flags>).
//
// It reaches a private field ("server") of the DynamoDB Local version that install.sh pins by
// integrity hash. If that ever changes, this fails at start instead of listening more widely.

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public class DynamoDBLocalLoopback {
    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        Connector[] connectors = server.getConnectors();
        if (connectors.length == 0) {
            throw new IllegalStateException("DynamoDB Local created no connector to restrict");
        }
        for (Connector connector : connectors) {
            if (!(connector instanceof ServerConnector)) {
                throw new IllegalStateException("unexpected connector type " + connector.getClass());
            }
            ((ServerConnector) connector).setHost("127.0.0.1");
        }
        proxy.start(); // Jetty's threads keep the JVM running, as with DynamoDB Local's main()
    }
}
