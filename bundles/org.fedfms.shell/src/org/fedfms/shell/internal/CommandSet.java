package org.fedfms.shell.internal;

/**
 * Marker of the FedFMS Gogo command components: the service they are registered under, so that
 * {@link HyphenatedCommands} can find those that declare hyphenated names.
 */
public interface CommandSet {
}
