package io.herald.auth;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Where and with what the token properties change one character of a valid token. */
final class TokenTampering {
    static final String B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private TokenTampering() {
    }

    /** Any position of {@code token}, often the last character of a part: its unused low bits must not let a changed text pass. */
    static Arbitrary<Integer> positions(String token) {
        List<Integer> ends = new ArrayList<>();
        for (int i = 1; i < token.length(); i++) {
            if (token.charAt(i) == '.') {
                ends.add(i - 1);
            }
        }
        ends.add(token.length() - 1);
        return Arbitraries.oneOf(Arbitraries.integers().between(0, token.length() - 1), Arbitraries.of(ends));
    }

    /** A base64url character most often, any character otherwise. */
    static Arbitrary<Character> replacements() {
        return Arbitraries.oneOf(Arbitraries.chars().with(B64_CHARS.toCharArray()), Arbitraries.chars());
    }
}
