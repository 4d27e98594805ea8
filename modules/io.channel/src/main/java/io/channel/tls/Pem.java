package io.channel.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The textual encoding of RFC 7468: {@code -----BEGIN LABEL-----}, base64 lines, {@code -----END LABEL-----}.
 * Text outside the blocks (OpenSSL's "Bag Attributes", comments) is ignored, as RFC 7468 section 2 allows.
 */
final class Pem {

    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    /**
     * One block of a PEM file.
     *
     * @param label the label, such as {@code CERTIFICATE} or {@code PRIVATE KEY}
     * @param der   the decoded bytes
     * @param line  the line of the file the block begins on, from 1
     */
    record Block(String label, byte[] der, int line) {
    }

    private Pem() {
    }

    /**
     * Reads every block of a PEM file.
     *
     * @param file the file
     * @param what what the file should hold, for messages ("CA certificate file")
     * @return the blocks in file order, never empty
     * @throws IOException if the file cannot be read, a block is not closed or not base64, or there is none;
     *                     the message names the file and the line
     */
    static List<Block> read(Path file, String what) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(what + " '" + file + "' is not a PEM text file (it holds non-ASCII bytes;"
                    + " a DER or PKCS#12 file?)", e);
        } catch (IOException e) {
            throw new IOException("cannot read " + what + " '" + file + "': " + describe(e), e);
        }
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.startsWith(BEGIN) || !line.endsWith(DASHES)) {
                continue;
            }
            String label = line.substring(BEGIN.length(), line.length() - DASHES.length());
            String end = END + label + DASHES;
            int first = i + 1;
            StringBuilder base64 = new StringBuilder();
            int j = first;
            while (j < lines.size() && !lines.get(j).strip().equals(end)) {
                String body = lines.get(j).strip();
                // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") mark an encrypted legacy key.
                if (body.contains(":")) {
                    throw new IOException(what + " '" + file + "' line " + (j + 1) + ": the " + label
                            + " block has headers (" + body + "); an encrypted key? Decrypt it"
                            + " (openssl pkey -in KEY -out PLAIN) or use a PKCS#12 keystore with a password");
                }
                base64.append(body);
                j++;
            }
            if (j == lines.size()) {
                throw new IOException(what + " '" + file + "' line " + (i + 1) + ": '" + line
                        + "' has no matching '" + end + "'");
            }
            try {
                blocks.add(new Block(label, Base64.getDecoder().decode(base64.toString()), i + 1));
            } catch (IllegalArgumentException e) {
                throw new IOException(what + " '" + file + "' line " + (i + 1) + ": the " + label
                        + " block is not valid base64: " + e.getMessage(), e);
            }
            i = j;
        }
        if (blocks.isEmpty()) {
            throw new IOException(what + " '" + file + "' holds no PEM block (no '-----BEGIN ...-----' line)");
        }
        return blocks;
    }

    /** {@return one PEM block: the label lines around base64 of {@code der} in lines of 64 characters} */
    static String encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return BEGIN + label + DASHES + "\n" + body + "\n" + END + label + DASHES + "\n";
    }

    /** {@return the exception's class and message, so that "NoSuchFileException: x" reads as what happened} */
    static String describe(Exception e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
