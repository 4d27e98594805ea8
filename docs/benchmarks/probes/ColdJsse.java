// A fresh JVM's cost of JSSE for N GiB, with nothing of multifd in it: a client and a server SSLEngine (TLS 1.3,
// AES-128-GCM) handshake in memory, then one thread wraps and unwraps 16 KiB records until N GiB went through.
// Prints wall time, this thread's CPU and the whole process's (the JIT compilers' threads included).
// javac -d . ColdJsse.java && java [JIT options] -cp . ColdJsse KEYSTORE.p12 PASSWORD GIB
import javax.net.ssl.*;
import java.io.FileInputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.KeyStore;

public class ColdJsse {
    public static void main(String[] a) throws Exception {
        var mx = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(a[0])) { ks.load(in, a[1].toCharArray()); }
        long total = (long) (Double.parseDouble(a[2]) * (1L << 30));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX"); kmf.init(ks, a[1].toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX"); tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3"); ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLEngine c = ctx.createSSLEngine("localhost", 1), s = ctx.createSSLEngine();
        c.setUseClientMode(true); s.setUseClientMode(false);
        for (SSLEngine e : new SSLEngine[] {c, s}) { var p = e.getSSLParameters(); p.setCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256"}); e.setSSLParameters(p); }
        int pkt = c.getSession().getPacketBufferSize(), app = c.getSession().getApplicationBufferSize();
        ByteBuffer c2s = ByteBuffer.allocate(pkt * 4), s2c = ByteBuffer.allocate(pkt * 4), cApp = ByteBuffer.allocate(16384), sApp = ByteBuffer.allocate(app * 2);
        ByteBuffer empty = ByteBuffer.allocate(0);
        c.beginHandshake(); s.beginHandshake();
        for (int i = 0; i < 200 && (c.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || s.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING); i++) {
            step(c, empty, c2s, s2c, sApp); step(s, empty, s2c, c2s, sApp);
        }
        long cpu1 = mx.getCurrentThreadCpuTime(), t1 = System.nanoTime(), p1 = os.getProcessCpuTime();
        byte[] data = new byte[16384]; new java.util.Random(1).nextBytes(data);
        long bytes = 0;
        while (bytes < total) {
            cApp.clear(); cApp.put(data); cApp.flip(); c2s.clear();
            SSLEngineResult r = c.wrap(cApp, c2s); if (r.getStatus() != SSLEngineResult.Status.OK) throw new IllegalStateException("wrap " + r);
            c2s.flip(); sApp.clear();
            r = s.unwrap(c2s, sApp); if (r.getStatus() != SSLEngineResult.Status.OK) throw new IllegalStateException("unwrap " + r);
            bytes += r.bytesProduced();
        }
        long cpu2 = mx.getCurrentThreadCpuTime(), t2 = System.nanoTime(), p2 = os.getProcessCpuTime();
        System.out.printf("start-up to handshaken: %.3f s wall, %.3f CPU-s; %.2f GiB wrap+unwrap cold: %.3f s wall, %.3f CPU-s this thread (%.3f CPU-s/GiB), %.3f CPU-s the process (JIT included)%n",
                (t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9, bytes / (double) (1L << 30), (t2 - t1) / 1e9, (cpu2 - cpu1) / 1e9, (cpu2 - cpu1) / 1e9 / (bytes / (double) (1L << 30)), (p2 - p1) / 1e9);
    }
    static void step(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app) throws Exception {
        while (true) {
            switch (e.getHandshakeStatus()) {
                case NEED_WRAP -> { e.wrap(empty, out); }
                case NEED_UNWRAP -> { in.flip(); var r = e.unwrap(in, app); in.compact(); if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || (r.bytesConsumed() == 0 && r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP)) return; }
                case NEED_TASK -> { Runnable t; while ((t = e.getDelegatedTask()) != null) t.run(); }
                default -> { return; }
            }
        }
    }
}
