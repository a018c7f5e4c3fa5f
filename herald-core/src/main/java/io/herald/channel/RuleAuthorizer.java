package io.herald.channel;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Credentials;
import io.herald.auth.Principal;
import io.herald.auth.SessionAuthenticator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The configured channel rules: {@code public} patterns need no credentials; {@code allow} patterns
 * admit a session whose {@code {org}} (any of its orgs) and {@code {user}} (its id) fill the
 * placeholders; {@code *} matches any run of characters including {@code :}; a rule matches the whole
 * name. Invalid credentials are refused (401) even on a public channel. Thread-safe.
 */
public final class RuleAuthorizer implements ChannelAuthorizer {
    private final SessionAuthenticator sessions;
    private final List<String> allow;
    private final List<Pattern> publicRules;

    public RuleAuthorizer(SessionAuthenticator sessions, List<String> allow, List<String> publicRules) {
        this.sessions = sessions;
        this.allow = List.copyOf(allow);
        this.publicRules = publicRules.stream().map(r -> compile(r, null)).toList();
    }

    @Override
    public Decision authorize(String channel, Credentials request) {
        boolean hasCredentials = sessions.hasCredentials(request);
        Principal p = hasCredentials ? sessions.authenticate(request, false) : null;
        for (Pattern r : publicRules) {
            if (r.matcher(channel).matches()) {
                return p == null ? Decision.anonymous() : Decision.of(p);
            }
        }
        if (p == null) {
            throw new HeraldException(ErrorCode.UNAUTHENTICATED);
        }
        for (String rule : allow) {
            if (compile(rule, p).matcher(channel).matches()) {
                return Decision.of(p);
            }
        }
        throw new HeraldException(ErrorCode.FORBIDDEN, "Not allowed to read this channel.");
    }

    /** A rule as a regex; placeholders become the principal's values (none without one). */
    static Pattern compile(String rule, Principal p) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < rule.length()) {
            if (rule.startsWith("{org}", i)) {
                re.append(alternatives(p == null ? List.of() : List.copyOf(p.orgs().keySet())));
                i += 5;
            } else if (rule.startsWith("{user}", i)) {
                re.append(alternatives(p == null ? List.of() : List.of(p.userId())));
                i += 6;
            } else if (rule.charAt(i) == '*') {
                re.append(".*");
                i++;
            } else {
                int next = nextSpecial(rule, i);
                re.append(Pattern.quote(rule.substring(i, next)));
                i = next;
            }
        }
        return Pattern.compile(re.toString());
    }

    private static int nextSpecial(String rule, int from) {
        int i = from;
        while (i < rule.length() && rule.charAt(i) != '*' && !rule.startsWith("{org}", i) && !rule.startsWith("{user}", i)) {
            i++;
        }
        return i;
    }

    private static String alternatives(List<String> values) {
        if (values.isEmpty()) {
            return "(?!)";
        }
        StringBuilder sb = new StringBuilder("(?:");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append('|');
            }
            sb.append(Pattern.quote(values.get(i)));
        }
        return sb.append(')').toString();
    }
}
