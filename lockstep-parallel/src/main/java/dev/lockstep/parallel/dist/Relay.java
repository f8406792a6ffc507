package dev.lockstep.parallel.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** Copies bytes both ways between two sockets until either side goes away, then closes both. */
final class Relay {
    private Relay() {
    }

    static void start(Socket a, Socket b, String name) {
        daemon(() -> pump(a, b), name + " >").start();
        daemon(() -> pump(b, a), name + " <").start();
    }

    static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the peer went away, or the other direction closed both sockets: the relay is over
        }
    }
}
