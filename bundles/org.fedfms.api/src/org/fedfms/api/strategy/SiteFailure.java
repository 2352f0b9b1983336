package org.fedfms.api.strategy;

/**
 * A site that delivered no usable update in a round.
 *
 * @param siteId the site
 * @param reason what went wrong, for the round history
 */
public record SiteFailure(String siteId, String reason) {
}
