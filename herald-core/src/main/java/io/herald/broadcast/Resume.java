package io.herald.broadcast;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a broadcast socket asked to be resumable: not at all (frames exactly as the reference clients
 * expect), from now on ({@code resume=1}: a {@code position} frame, then offsets on every event), or
 * from a cursor it kept ({@code since=<epoch>:<offset>}: the events it missed first).
 *
 * @param epoch  the cursor's epoch ({@code since} only)
 * @param offset the last offset the client received ({@code since} only)
 */
public record Resume(Mode mode, String epoch, long offset) {
    /** A plain socket. */
    public static final Resume NONE = new Resume(Mode.NONE, "", 0);
    /** {@code resume=1}: positions from now on. */
    public static final Resume LATEST = new Resume(Mode.LATEST, "", 0);

    private static final Pattern SINCE = Pattern.compile("([A-Za-z0-9_-]{1,64}):(0|[1-9][0-9]{0,17})");

    /** The three ways to open a broadcast socket. */
    public enum Mode { NONE, LATEST, SINCE }

    /**
     * From the query parameters {@code resume} and {@code since} (either may be null); {@code since}
     * implies {@code resume}.
     *
     * @throws HeraldException 400 {@code bad_request} for a malformed value
     */
    public static Resume parse(String resume, String since) {
        if (since != null) {
            Matcher m = SINCE.matcher(since);
            if (!m.matches()) {
                throw new HeraldException(ErrorCode.BAD_REQUEST, "since must be <epoch>:<offset> as a position frame gave them.");
            }
            return new Resume(Mode.SINCE, m.group(1), Long.parseLong(m.group(2)));
        }
        if (resume == null || resume.equals("0") || resume.equals("false")) {
            return NONE;
        }
        if (resume.equals("1") || resume.equals("true")) {
            return LATEST;
        }
        throw new HeraldException(ErrorCode.BAD_REQUEST, "resume must be 1 or 0.");
    }
}
