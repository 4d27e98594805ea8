package migration.authority;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The few ASN.1 DER encodings that building an X.509 v3 certificate needs (ITU-T X.690 section 10 for DER;
 * RFC 5280 section 4.1 for the certificate). The JDK parses certificates ({@code CertificateFactory}) but has no
 * public API to build one; this is the smallest encoder that does. Every value is encoded to a complete TLV
 * {@code byte[]}; constructed values take their already encoded children.
 */
final class Der {

    static final int BOOLEAN = 0x01;
    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int OBJECT_IDENTIFIER = 0x06;
    static final int UTC_TIME = 0x17;
    static final int GENERALIZED_TIME = 0x18;
    static final int SEQUENCE = 0x30;
    /** Context-specific, constructed, tag 0: {@code [0] EXPLICIT}. */
    static final int EXPLICIT_0 = 0xa0;
    /** Context-specific, constructed, tag 3: {@code [3] EXPLICIT}. */
    static final int EXPLICIT_3 = 0xa3;
    /** {@code GeneralName} {@code dNSName [2] IMPLICIT IA5String} (RFC 5280 section 4.2.1.6). */
    static final int DNS_NAME = 0x82;
    /** {@code GeneralName} {@code iPAddress [7] IMPLICIT OCTET STRING}. */
    static final int IP_ADDRESS = 0x87;

    private static final DateTimeFormatter UTC_TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Instant UTC_TIME_FIRST = Instant.parse("1950-01-01T00:00:00Z");
    private static final Instant UTC_TIME_END = Instant.parse("2050-01-01T00:00:00Z");

    private Der() {
    }

    /** {@return a TLV with the given tag byte and contents} */
    static byte[] tlv(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(contents.length + 6);
        out.write(tag);
        int length = contents.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            // Long form: 0x80 | number of length bytes, then the length big-endian (X.690 8.1.3.5).
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    /** {@return a constructed value of the given tag holding the already encoded children in order} */
    static byte[] constructed(int tag, byte[]... children) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] child : children) {
            out.writeBytes(child);
        }
        return tlv(tag, out.toByteArray());
    }

    static byte[] sequence(byte[]... children) {
        return constructed(SEQUENCE, children);
    }

    static byte[] integer(BigInteger value) {
        return tlv(INTEGER, value.toByteArray());
    }

    static byte[] bool(boolean value) {
        return tlv(BOOLEAN, new byte[] {(byte) (value ? 0xff : 0x00)});
    }

    static byte[] octetString(byte[] value) {
        return tlv(OCTET_STRING, value);
    }

    /**
     * {@return a BIT STRING of whole bytes whose last {@code unusedBits} bits are padding}
     * @param bytes      the bits, most significant first
     * @param unusedBits how many low bits of the last byte are not part of the value (0 to 7)
     */
    static byte[] bitString(byte[] bytes, int unusedBits) {
        byte[] contents = new byte[bytes.length + 1];
        contents[0] = (byte) unusedBits;
        System.arraycopy(bytes, 0, contents, 1, bytes.length);
        return tlv(BIT_STRING, contents);
    }

    /** {@return an OBJECT IDENTIFIER from its dotted form, such as {@code "2.5.29.19"}} */
    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // The first two arcs share one sub-identifier, 40 * first + second (X.690 8.19.4).
        base128(out, 40 * Long.parseLong(arcs[0]) + Long.parseLong(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            base128(out, Long.parseLong(arcs[i]));
        }
        return tlv(OBJECT_IDENTIFIER, out.toByteArray());
    }

    private static void base128(ByteArrayOutputStream out, long value) {
        int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 6) / 7);
        for (int i = groups - 1; i >= 0; i--) {
            int group = (int) ((value >>> (7 * i)) & 0x7f);
            out.write(i > 0 ? group | 0x80 : group);
        }
    }

    /** {@return a certificate {@code Time}: UTCTime for 1950 to 2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5)} */
    static byte[] time(Instant instant) {
        boolean utc = !instant.isBefore(UTC_TIME_FIRST) && instant.isBefore(UTC_TIME_END);
        String text = (utc ? UTC_TIME_FORMAT : GENERALIZED_TIME_FORMAT).format(instant);
        return tlv(utc ? UTC_TIME : GENERALIZED_TIME, text.getBytes(StandardCharsets.US_ASCII));
    }
}
