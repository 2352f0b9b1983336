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
import org.fedfms.secagg.RoutedShares;
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

/**
 * The coordinator's messages to a site as bytes (roster, routed shares, unmask request): a round in which every
 * message, both ways, crosses the codec, with a site dropping out after masking; and malformed bytes refused.
 */
class CoordinatorMessagesTest {

    private final SecAggCodec codec = new SecAggCodec(8, 100);

    @Test
    void aRoundWhoseEveryMessageTravelsAsBytesSumsTheSurvivors() {
        SecureRandom random = new SecureRandom();
        SecAggCoordinator coordinator = new SecAggCoordinator(3, new SecAggSettings(3, 0), random);
        Map<String, SecAggSite> sites = new LinkedHashMap<>();
        List<KeyAdvertisement> keys = new ArrayList<>();
        for (String id : List.of("site-a", "site-b", "site-c", "site-d")) {
            sites.put(id, new SecAggSite(id, random));
            keys.add(codec.readKeys(codec.encode(sites.get(id).advertiseKeys())));
        }
        Roster sent = coordinator.roster(keys);
        List<SharedKeys> shared = new ArrayList<>();
        for (SecAggSite s : sites.values()) {
            Roster received = codec.readRoster(codec.encode(sent));
            assertEquals(sent.sites(), received.sites());
            assertEquals(sent.threshold(), received.threshold());
            shared.add(codec.readSharedKeys(codec.encode(s.shareKeys(received))));
        }
        Map<String, List<SealedShare>> routed = coordinator.route(shared);
        List<MaskedInput> masked = new ArrayList<>();
        int i = 0;
        for (SecAggSite s : sites.values()) {
            RoutedShares r = codec.readRoutedShares(codec.encode(new RoutedShares(coordinator.sharers(),
                    routed.get(s.site()))));
            float[] v = new float[100];
            Arrays.fill(v, ++i);
            MaskedInput m = s.maskInput(r.sharers(), r.shares(), v, 1);
            if (!s.site().equals("site-c")) { // site-c masked, then dropped out before its upload
                masked.add(codec.readMaskedInput(codec.encode(m)));
            }
        }
        UnmaskRequest request = codec.readUnmaskRequest(codec.encode(coordinator.unmaskRequest(masked)));
        assertEquals(List.of("site-c"), request.dropped());
        assertEquals(3, request.round());
        List<ShareReveal> reveals = new ArrayList<>();
        for (String s : request.survivors()) {
            reveals.add(codec.readReveal(codec.encode(sites.get(s).reveal(request))));
        }
        SecureSum sum = coordinator.finish(reveals);
        // sites a, b, d: values 1, 2, 4 at weight 1
        assertEquals(7f / 3, sum.mean()[0], 1e-6f);
        assertEquals(3, sum.totalWeight());
    }

    @Test
    void malformedCoordinatorMessagesAreRefusedNamingWhat() {
        SecureRandom random = new SecureRandom();
        SecAggCoordinator coordinator = new SecAggCoordinator(1, SecAggSettings.DEFAULT, random);
        Roster roster = coordinator.roster(List.of(new SecAggSite("site-a", random).advertiseKeys(),
                new SecAggSite("site-b", random).advertiseKeys()));
        byte[] bytes = codec.encode(roster);
        SecureAggregationException e = assertThrows(SecureAggregationException.class,
                () -> codec.readRoster(Arrays.copyOf(bytes, bytes.length - 3)));
        assertTrue(e.getMessage().contains("the roster ends early"), e.getMessage());
        byte[] oddNeighbours = bytes.clone();
        oddNeighbours[1 + 4 + 4 + 3] = 3; // neighbours = 3
        e = assertThrows(SecureAggregationException.class, () -> codec.readRoster(oddNeighbours));
        assertTrue(e.getMessage().contains("the roster's settings") && e.getMessage().contains("neighbours 3"),
                e.getMessage());
        e = assertThrows(SecureAggregationException.class, () -> codec.readUnmaskRequest(bytes));
        assertTrue(e.getMessage().contains("not a unmask request"), e.getMessage());

        List<String> many = new ArrayList<>();
        for (int k = 0; k < 9; k++) {
            many.add("site-" + k);
        }
        byte[] tooMany = codec.encode(new UnmaskRequest(1, many, List.of()));
        e = assertThrows(SecureAggregationException.class, () -> codec.readUnmaskRequest(tooMany));
        assertTrue(e.getMessage().contains("9 survivors, outside 0..8"), e.getMessage());
        byte[] routed = codec.encode(new RoutedShares(List.of("site-a"), List.of(new SealedShare("site-a", "site-b",
                new byte[SecAggCodec.SEALED_SHARE_BYTES - 1]))));
        e = assertThrows(SecureAggregationException.class, () -> codec.readRoutedShares(routed));
        assertTrue(e.getMessage().contains("the routed shares ends early"), e.getMessage());
    }
}
