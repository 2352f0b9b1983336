package org.fedfms.secagg;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.secagg.internal.Shamir;
import org.fedfms.secagg.internal.ShareCipher;

/**
 * Bytes of the messages a site sends in secure aggregation, for transport between processes, read with bounds: a
 * type byte, then big-endian fields; site ids of at most {@value #MAX_ID_BYTES} UTF-8 bytes, keys and commitments
 * of 32 bytes, sealed shares and revealed shares of their fixed sizes, at most {@code maxSites} entries per list
 * and {@code maxValues} values per masked vector (plus the weight), nothing after the message. Anything else is
 * refused with an error naming the message, the field and the site. The coordinator's messages to a site (the
 * roster, its routed shares, the unmask request) travel the same way, read with the same bounds.
 */
public final class SecAggCodec {

    /** Longest site id, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;

    /** Bytes of one sealed share: nonce, two Shamir shares, GCM tag. */
    public static final int SEALED_SHARE_BYTES = ShareCipher.NONCE_BYTES + 2 * Shamir.SHARE_BYTES + 16;

    private static final byte KEYS = 1;
    private static final byte SHARED = 2;
    private static final byte MASKED = 3;
    private static final byte REVEAL = 4;
    private static final byte ROSTER = 5;
    private static final byte ROUTED = 6;
    private static final byte UNMASK = 7;

    private final int maxSites;
    private final int maxValues;

    /** A codec that accepts at most {@code maxSites} sites and {@code maxValues} values per update. */
    public SecAggCodec(int maxSites, int maxValues) {
        if (maxSites < 2 || maxValues < 1) {
            throw new IllegalArgumentException("a codec needs maxSites >= 2 and maxValues >= 1");
        }
        this.maxSites = maxSites;
        this.maxValues = maxValues;
    }

    public byte[] encode(KeyAdvertisement m) {
        return write(KEYS, out -> {
            id(out, m.site());
            out.write(m.encryptionKey());
            out.write(m.maskingKey());
        });
    }

    public byte[] encode(SharedKeys m) {
        return write(SHARED, out -> {
            id(out, m.site());
            out.write(m.seedCommitment());
            out.writeInt(m.shares().size());
            for (SealedShare s : m.shares()) {
                id(out, s.to());
                out.write(s.ciphertext());
            }
        });
    }

    public byte[] encode(MaskedInput m) {
        return write(MASKED, out -> {
            id(out, m.site());
            out.writeInt(m.values().length);
            for (long v : m.values()) {
                out.writeLong(v);
            }
        });
    }

    public byte[] encode(ShareReveal m) {
        return write(REVEAL, out -> {
            id(out, m.site());
            shares(out, m.seedShares());
            shares(out, m.keyShares());
        });
    }

    /** Most bytes a key advertisement takes. */
    public static long maxKeysBytes() {
        return 1 + 2 + MAX_ID_BYTES + 64;
    }

    /** Most bytes a site's shared keys take in a round of {@code sites} sites. */
    public static long maxSharedKeysBytes(int sites) {
        return 1 + 2 + MAX_ID_BYTES + 32 + 4 + (long) Math.max(0, sites - 1) * (4 + 2 * MAX_ID_BYTES
                + SEALED_SHARE_BYTES);
    }

    /** Most bytes a masked vector of {@code values} update values (and the weight) takes. */
    public static long maxMaskedBytes(long values) {
        return 1 + 2 + MAX_ID_BYTES + 4 + 8 * (values + 1);
    }

    /** Most bytes a share reveal takes in a round of {@code sites} sites. */
    public static long maxRevealBytes(int sites) {
        return 1 + 2 + MAX_ID_BYTES + 2 * (4 + (long) sites * (2 + MAX_ID_BYTES + Shamir.SHARE_BYTES));
    }

    /** The length of {@link #encode(MaskedInput)}'s bytes, without encoding: 8 bytes per value, plus the header. */
    public static long encodedSize(MaskedInput m) {
        return 1 + 2 + m.site().getBytes(StandardCharsets.UTF_8).length + 4 + 8L * m.values().length;
    }

    /** @throws SecureAggregationException if the bytes are not a well-formed key advertisement within bounds */
    public KeyAdvertisement readKeys(byte[] bytes) {
        return read(bytes, KEYS, "key advertisement", in -> new KeyAdvertisement(readId(in, "site"),
                fixed(in, 32, "encryption key"), fixed(in, 32, "masking key")));
    }

    /** @throws SecureAggregationException if the bytes are not well-formed shared keys within bounds */
    public SharedKeys readSharedKeys(byte[] bytes) {
        return read(bytes, SHARED, "shared keys", in -> {
            String site = readId(in, "site");
            byte[] commitment = fixed(in, 32, "seed commitment of '" + site + "'");
            int n = count(in, maxSites - 1, "sealed shares of '" + site + "'");
            List<SealedShare> shares = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String to = readId(in, "recipient");
                shares.add(new SealedShare(site, to, fixed(in, SEALED_SHARE_BYTES, "share of '" + site + "' for '"
                        + to + "'")));
            }
            return new SharedKeys(site, commitment, shares);
        });
    }

    /** @throws SecureAggregationException if the bytes are not a well-formed masked input within bounds */
    public MaskedInput readMaskedInput(byte[] bytes) {
        return read(bytes, MASKED, "masked input", in -> {
            String site = readId(in, "site");
            int n = count(in, maxValues + 1, "values of '" + site + "'");
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = in.readLong();
            }
            return new MaskedInput(site, values);
        });
    }

    /** @throws SecureAggregationException if the bytes are not a well-formed share reveal within bounds */
    public ShareReveal readReveal(byte[] bytes) {
        return read(bytes, REVEAL, "share reveal", in -> {
            String site = readId(in, "site");
            return new ShareReveal(site, readShares(in, "seed shares of '" + site + "'"),
                    readShares(in, "key shares of '" + site + "'"));
        });
    }

    public byte[] encode(Roster m) {
        return write(ROSTER, out -> {
            out.writeInt(m.round());
            out.writeInt(m.settings().threshold());
            out.writeInt(m.settings().neighbours());
            out.writeLong(m.graphSeed());
            out.writeInt(m.advertisements().size());
            for (KeyAdvertisement a : m.advertisements()) {
                id(out, a.site());
                out.write(a.encryptionKey());
                out.write(a.maskingKey());
            }
        });
    }

    public byte[] encode(RoutedShares m) {
        return write(ROUTED, out -> {
            ids(out, m.sharers());
            out.writeInt(m.shares().size());
            for (SealedShare s : m.shares()) {
                id(out, s.from());
                id(out, s.to());
                out.write(s.ciphertext());
            }
        });
    }

    public byte[] encode(UnmaskRequest m) {
        return write(UNMASK, out -> {
            out.writeInt(m.round());
            ids(out, m.survivors());
            ids(out, m.dropped());
        });
    }

    /**
     * @throws SecureAggregationException if the bytes are not a well-formed roster within bounds, or the roster
     *         itself is not valid (a site twice, a key reused, settings out of range)
     */
    public Roster readRoster(byte[] bytes) {
        return read(bytes, ROSTER, "roster", in -> {
            int round = in.readInt();
            int threshold = in.readInt();
            int neighbours = in.readInt();
            long graphSeed = in.readLong();
            int n = count(in, maxSites, "sites of the roster");
            List<KeyAdvertisement> keys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String site = readId(in, "roster site");
                keys.add(new KeyAdvertisement(site, fixed(in, 32, "encryption key of '" + site + "'"),
                        fixed(in, 32, "masking key of '" + site + "'")));
            }
            SecAggSettings settings;
            try {
                settings = new SecAggSettings(threshold, neighbours);
            } catch (IllegalArgumentException e) {
                throw new SecureAggregationException("secure aggregation: the roster's settings: " + e.getMessage(), e);
            }
            return new Roster(round, keys, settings, graphSeed);
        });
    }

    /** @throws SecureAggregationException if the bytes are not well-formed routed shares within bounds */
    public RoutedShares readRoutedShares(byte[] bytes) {
        return read(bytes, ROUTED, "routed shares", in -> {
            List<String> sharers = readIds(in, "sharers");
            int n = count(in, maxSites - 1, "routed shares");
            List<SealedShare> shares = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String from = readId(in, "share sender");
                String to = readId(in, "share recipient");
                shares.add(new SealedShare(from, to, fixed(in, SEALED_SHARE_BYTES, "share of '" + from + "' for '"
                        + to + "'")));
            }
            return new RoutedShares(sharers, shares);
        });
    }

    /** @throws SecureAggregationException if the bytes are not a well-formed unmask request within bounds */
    public UnmaskRequest readUnmaskRequest(byte[] bytes) {
        return read(bytes, UNMASK, "unmask request", in -> new UnmaskRequest(in.readInt(), readIds(in, "survivors"),
                readIds(in, "dropped sites")));
    }

    private static void ids(DataOutputStream out, List<String> ids) throws IOException {
        out.writeInt(ids.size());
        for (String id : ids) {
            id(out, id);
        }
    }

    private List<String> readIds(DataInputStream in, String field) throws IOException {
        int n = count(in, maxSites, field);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(readId(in, field));
        }
        return ids;
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(byte type, Writer body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(type);
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, byte type, String what, Reader<T> body) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (bytes.length == 0 || in.readByte() != type) {
                throw new SecureAggregationException("secure aggregation: the bytes are not a " + what);
            }
            T message = body.read(in);
            if (in.available() > 0) {
                throw new SecureAggregationException("secure aggregation: " + in.available()
                        + " bytes follow the " + what);
            }
            return message;
        } catch (EOFException e) {
            throw new SecureAggregationException("secure aggregation: the " + what + " ends early (" + bytes.length
                    + " bytes)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void id(DataOutputStream out, String id) throws IOException {
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        if (utf8.length == 0 || utf8.length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("a site id has 1.." + MAX_ID_BYTES + " UTF-8 bytes, not " + utf8.length);
        }
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    private static String readId(DataInputStream in, String field) throws IOException {
        int n = in.readUnsignedShort();
        if (n == 0 || n > MAX_ID_BYTES) {
            throw new SecureAggregationException("secure aggregation: a " + field + " id of " + n
                    + " bytes (1.." + MAX_ID_BYTES + " allowed)");
        }
        return new String(fixed(in, n, field + " id"), StandardCharsets.UTF_8);
    }

    private static byte[] fixed(DataInputStream in, int n, String field) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static int count(DataInputStream in, int max, String field) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) {
            throw new SecureAggregationException("secure aggregation: " + n + " " + field + ", outside 0.." + max);
        }
        return n;
    }

    private void shares(DataOutputStream out, Map<String, byte[]> shares) throws IOException {
        out.writeInt(shares.size());
        for (Map.Entry<String, byte[]> e : shares.entrySet()) {
            id(out, e.getKey());
            out.write(e.getValue());
        }
    }

    private Map<String, byte[]> readShares(DataInputStream in, String field) throws IOException {
        int n = count(in, maxSites, field);
        Map<String, byte[]> shares = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String owner = readId(in, "share owner");
            if (shares.put(owner, fixed(in, Shamir.SHARE_BYTES, field)) != null) {
                throw new SecureAggregationException("secure aggregation: two " + field + " for '" + owner + "'");
            }
        }
        return shares;
    }
}
