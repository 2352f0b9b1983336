package org.fedfms.shell.internal;

/**
 * The descriptions of the arguments and options that several commands take, declared once so that they read
 * the same in every command's help. {@link CommandCompleter} completes an argument described as
 * {@code "..., as listed by fedfms:LISTING"} with the first column of that listing.
 */
final class SharedArguments {

    /** An experiment's name. */
    static final String EXPERIMENT = "experiment name, as listed by fedfms:experiments";
    /** A dataset loader's id. */
    static final String LOADER = "loader id, as listed by fedfms:datasets";
    /** {@code --replace} of the commands that create an experiment. */
    static final String REPLACE = "remove an existing experiment of that name first (cancelling its run), with its "
            + "files";
    /** A strategy's settings. */
    static final String STRATEGY_SETTINGS = "strategy settings as key=value, e.g. weighted=false";

    private SharedArguments() {
    }
}
