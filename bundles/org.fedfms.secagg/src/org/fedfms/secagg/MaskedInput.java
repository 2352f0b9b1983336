package org.fedfms.secagg;

/**
 * Round 2 of secure aggregation: a site's weighted update in fixed point, its weight appended, plus its self mask
 * and its pairwise masks, all in Z_2^64; alone it looks uniformly random.
 */
public record MaskedInput(String site, long[] values) {
}
