package org.fedfms.secagg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.secagg.KeyAdvertisement;
import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.Roster;
import org.fedfms.secagg.SealedShare;
import org.fedfms.secagg.SecAggCodec;
import org.fedfms.secagg.SecAggCoordinator;
import org.fedfms.secagg.SecAggSettings;
import org.fedfms.secagg.SecAggSite;
import org.fedfms.secagg.SecureAggregationException;
import org.fedfms.secagg.SecureSum;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.SharedKeys;
import org.fedfms.secagg.UnmaskRequest;
import org.junit.jupiter.api.Test;

/** The sites' messages as bytes: a whole round through the codec, and malformed or oversized bytes refused. */
class SecAggCodecTest {

    private final SecAggCodec codec = new SecAggCodec(8, 100);

    @Test
    void aRoundWhoseSiteMessagesTravelAsBytesSumsRight() {
        SecureRandom random = new SecureRandom();
        SecAggCoordinator coordinator = new SecAggCoordinator(1, SecAggSettings.DEFAULT, random);
        Map<String, SecAggSite> sites = new LinkedHashMap<>();
        List<KeyAdvertisement> keys = new ArrayList<>();
        for (String id : List.of("site-a", "site-b", "site-c", "site-d")) {
            sites.put(id, new SecAggSite(id, random));
            keys.add(codec.readKeys(codec.encode(sites.get(id).advertiseKeys())));
        }
        Roster roster = coordinator.roster(keys);
        List<SharedKeys> shared = new ArrayList<>();
        sites.values().forEach(s -> shared.add(codec.readSharedKeys(codec.encode(s.shareKeys(roster)))));
        Map<String, List<SealedShare>> routed = coordinator.route(shared);
        List<MaskedInput> masked = new ArrayList<>();
        int i = 0;
        for (SecAggSite s : sites.values()) {
            float[] v = new float[100];
            Arrays.fill(v, ++i);
            masked.add(codec.readMaskedInput(codec.encode(s.maskInput(coordinator.sharers(), routed.get(s.site()), v,
                    i))));
        }
        UnmaskRequest request = coordinator.unmaskRequest(masked);
        List<ShareReveal> reveals = new ArrayList<>();
        for (String s : request.survivors()) {
            reveals.add(codec.readReveal(codec.encode(sites.get(s).reveal(request))));
        }
        SecureSum sum = coordinator.finish(reveals);
        // weights 1..4 on values 1..4: (1 + 4 + 9 + 16) / 10
        assertEquals(3.0f, sum.mean()[99], 1e-6f);
        assertEquals(10, sum.totalWeight());
        assertEquals(8 * 101 + 1 + 2 + 6 + 4, codec.encode(masked.get(0)).length);
    }

    @Test
    void theMaskedInputsSizeIsKnownWithoutEncoding() {
        for (MaskedInput m : List.of(new MaskedInput("site-a", new long[101]), new MaskedInput("hôpital-7", new long[3]),
                new MaskedInput("s", new long[0]))) {
            assertEquals(codec.encode(m).length, SecAggCodec.encodedSize(m), m.site());
        }
    }

    @Test
    void malformedOrOversizedBytesAreRefusedNamingWhat() {
        SecAggSite site = new SecAggSite("site-a", new SecureRandom());
        byte[] keys = codec.encode(site.advertiseKeys());
        SecureAggregationException e = assertThrows(SecureAggregationException.class,
                () -> codec.readKeys(Arrays.copyOf(keys, keys.length - 1)));
        assertTrue(e.getMessage().contains("the key advertisement ends early"), e.getMessage());
        e = assertThrows(SecureAggregationException.class, () -> codec.readKeys(Arrays.copyOf(keys, keys.length + 1)));
        assertTrue(e.getMessage().contains("1 bytes follow the key advertisement"), e.getMessage());
        e = assertThrows(SecureAggregationException.class, () -> codec.readMaskedInput(keys));
        assertTrue(e.getMessage().contains("not a masked input"), e.getMessage());

        byte[] big = new SecAggCodec(8, 1000).encode(new MaskedInput("site-a", new long[500]));
        e = assertThrows(SecureAggregationException.class, () -> codec.readMaskedInput(big));
        assertTrue(e.getMessage().contains("500 values of 'site-a', outside 0..101"), e.getMessage());
        byte[] huge = new byte[] {3, 0, 1, 'x', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        e = assertThrows(SecureAggregationException.class, () -> codec.readMaskedInput(huge));
        assertTrue(e.getMessage().contains("values of 'x', outside"), e.getMessage());
        byte[] longId = new byte[] {1, 0x7f, (byte) 0xff};
        e = assertThrows(SecureAggregationException.class, () -> codec.readKeys(longId));
        assertTrue(e.getMessage().contains("id of 32767 bytes"), e.getMessage());
    }
}
