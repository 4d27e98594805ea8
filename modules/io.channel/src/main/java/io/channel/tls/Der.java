package io.channel.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The few ASN.1 DER encodings that reading a private key in OpenSSL's traditional forms needs: a SEC 1 EC key is
 * read for its curve and either kind is wrapped in a PKCS#8 {@code PrivateKeyInfo} (ITU-T X.690 section 10 for DER;
 * RFC 5915 for SEC 1 keys, RFC 5208 for PKCS#8). Every value is encoded to a complete TLV {@code byte[]};
 * constructed values take their already encoded children.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OBJECT_IDENTIFIER = 0x06;
    static final int SEQUENCE = 0x30;
    /** Context-specific, constructed, tag 0: {@code [0] EXPLICIT}. */
    static final int EXPLICIT_0 = 0xa0;

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

    static byte[] octetString(byte[] value) {
        return tlv(OCTET_STRING, value);
    }

    static byte[] nullValue() {
        return tlv(NULL, new byte[0]);
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

    /** One decoded TLV: its tag byte and its contents. */
    record Value(int tag, byte[] contents) {

        /** {@return the children of a constructed value} */
        List<Value> children() {
            return Der.read(contents);
        }
    }

    /**
     * Decodes a run of TLVs, as found in the contents of a SEQUENCE.
     *
     * @throws IllegalArgumentException if the bytes are not well-formed DER of definite length
     */
    static List<Value> read(byte[] bytes) {
        List<Value> values = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            if (bytes.length - at < 2) {
                throw new IllegalArgumentException("truncated DER value at byte " + at);
            }
            int tag = bytes[at++] & 0xff;
            int length = bytes[at++] & 0xff;
            if (length >= 0x80) {
                int count = length & 0x7f;
                if (count == 0 || count > 3 || bytes.length - at < count) {
                    throw new IllegalArgumentException("unsupported DER length at byte " + (at - 1));
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (bytes[at++] & 0xff);
                }
            }
            if (length > bytes.length - at) {
                throw new IllegalArgumentException("DER value at byte " + at + " claims " + length
                        + " bytes but only " + (bytes.length - at) + " remain");
            }
            byte[] contents = new byte[length];
            System.arraycopy(bytes, at, contents, 0, length);
            at += length;
            values.add(new Value(tag, contents));
        }
        return values;
    }

    /** {@return the single top-level value in {@code bytes}} */
    static Value readOne(byte[] bytes) {
        List<Value> values = read(bytes);
        if (values.size() != 1) {
            throw new IllegalArgumentException("expected one DER value, found " + values.size());
        }
        return values.getFirst();
    }
}
