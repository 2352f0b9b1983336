package org.fedfms.wire;

/** What a wire message carries. */
public enum MessageKind {
    /** The global parameters, sent by the coordinator to the sites. */
    GLOBAL(0),
    /** A site's update, sent to the coordinator. */
    UPDATE(1);

    private final int code;

    MessageKind(int code) {
        this.code = code;
    }

    /** The byte that stands for this kind on the wire. */
    public int code() {
        return code;
    }

    /** The kind with that code, or {@code null} if there is none. */
    static MessageKind fromCode(int code) {
        for (MessageKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
