package dev.lockstep.parallel.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The mutual challenge-response that opens every connection to the rendezvous store: each side
 * proves it knows the job's token by an HMAC-SHA256 over both sides' fresh nonces, so the token
 * never crosses the wire and a recorded exchange cannot be replayed.
 *
 * <pre>
 * server → client  MAGIC, server nonce (32 bytes)
 * client → server  client nonce (32), HMAC(key, "client" ‖ server nonce ‖ client nonce)
 * server → client  1 and HMAC(key, "server" ‖ client nonce ‖ server nonce), or 0 and close
 * </pre>
 */
final class Handshake {
    private static final byte[] MAGIC = "LOCKSTEP-RDZV/1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The client's token does not match the job's. */
    static final class RefusedException extends IOException {
        RefusedException(String message) {
            super(message);
        }
    }

    private final byte[] key;

    /** An empty token still runs the exchange; it then proves nothing (PyTorch's own store). */
    Handshake(String token) {
        try {
            key = MessageDigest.getInstance("SHA-256")
                    .digest(("lockstep-rdzv:" + token).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Server side: true when the client proved the token (it was told so), false when refused. */
    boolean accept(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] serverNonce = nonce();
        out.write(MAGIC);
        out.write(serverNonce);
        out.flush();
        byte[] clientNonce = in.readNBytes(NONCE);
        byte[] proof = in.readNBytes(NONCE);
        if (proof.length != NONCE || !MessageDigest.isEqual(proof, mac("client", serverNonce, clientNonce))) {
            out.write(0);
            out.flush();
            return false;
        }
        out.write(1);
        out.write(mac("server", clientNonce, serverNonce));
        out.flush();
        return true;
    }

    /**
     * Client side.
     *
     * @throws RefusedException if the server refused this token, or could not prove it knows it
     */
    void connect(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new RefusedException("the master port does not speak Lockstep's rendezvous protocol"
                    + " (is another program, or a rank without Lockstep, listening there?)");
        }
        byte[] serverNonce = in.readNBytes(NONCE);
        byte[] clientNonce = nonce();
        out.write(clientNonce);
        out.write(mac("client", serverNonce, clientNonce));
        out.flush();
        int status = in.read();
        if (status != 1) {
            throw new RefusedException("the master refused this process's rendezvous token (every process of"
                    + " the job needs the same LOCKSTEP_RDZV_TOKEN or --rdzv-token)");
        }
        byte[] proof = in.readNBytes(NONCE);
        if (!MessageDigest.isEqual(proof, mac("server", clientNonce, serverNonce))) {
            throw new RefusedException("the master could not prove it knows the rendezvous token");
        }
    }

    private byte[] mac(String role, byte[] first, byte[] second) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(role.getBytes(StandardCharsets.US_ASCII));
            mac.update(first);
            return mac.doFinal(second);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
    }

    private static byte[] nonce() {
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        return n;
    }
}
