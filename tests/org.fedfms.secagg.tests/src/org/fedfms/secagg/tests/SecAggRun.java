package org.fedfms.secagg.tests;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.fedfms.secagg.KeyAdvertisement;
import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.Roster;
import org.fedfms.secagg.SealedShare;
import org.fedfms.secagg.SecAggCoordinator;
import org.fedfms.secagg.SecAggSettings;
import org.fedfms.secagg.SecAggSite;
import org.fedfms.secagg.SecureSum;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.SharedKeys;
import org.fedfms.secagg.UnmaskRequest;

/** Runs the four protocol rounds between real site and coordinator objects, with sites dropping out where asked. */
final class SecAggRun {

    final SecureRandom random = new SecureRandom();
    final Map<String, SecAggSite> sites = new LinkedHashMap<>();
    final SecAggCoordinator coordinator;
    Roster roster;
    Map<String, List<SealedShare>> routed;
    final List<MaskedInput> masked = new ArrayList<>();
    UnmaskRequest request;
    final List<ShareReveal> reveals = new ArrayList<>();

    SecAggRun(int n, SecAggSettings settings) {
        for (int i = 0; i < n; i++) {
            String id = "site-" + (char) ('a' + i);
            sites.put(id, new SecAggSite(id, random));
        }
        coordinator = new SecAggCoordinator(3, settings, random);
    }

    void advertiseAndShare() {
        List<KeyAdvertisement> ads = new ArrayList<>();
        sites.values().forEach(s -> ads.add(s.advertiseKeys()));
        roster = coordinator.roster(ads);
        List<SharedKeys> shared = new ArrayList<>();
        sites.values().forEach(s -> shared.add(s.shareKeys(roster)));
        routed = coordinator.route(shared);
    }

    /** Sites not in {@code droppedBeforeUpload} mask their input. */
    void mask(Map<String, float[]> values, Map<String, Long> weights, Set<String> droppedBeforeUpload) {
        for (SecAggSite s : sites.values()) {
            if (!droppedBeforeUpload.contains(s.site())) {
                masked.add(s.maskInput(coordinator.sharers(), routed.getOrDefault(s.site(), List.of()),
                        values.get(s.site()), weights.get(s.site())));
            }
        }
    }

    SecureSum unmask(Set<String> silentInUnmasking, UnaryOperator<ShareReveal> tamper) {
        request = coordinator.unmaskRequest(masked);
        for (String s : request.survivors()) {
            if (!silentInUnmasking.contains(s)) {
                reveals.add(tamper.apply(sites.get(s).reveal(request)));
            }
        }
        return coordinator.finish(reveals);
    }

    SecureSum run(Map<String, float[]> values, Map<String, Long> weights, Set<String> dropped) {
        advertiseAndShare();
        mask(values, weights, dropped);
        return unmask(Set.of(), r -> r);
    }
}
