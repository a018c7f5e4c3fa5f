package io.herald.broadcast;

import static io.herald.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetTest {

    @Test
    void anOrganizationTargetIsTheOrgScope() {
        assertThat(Target.organization("org_1")).isEqualTo(new Target("org:org_1", null));
        assertThat(Target.orgScope("org_1")).isEqualTo("org:org_1");
    }

    @Test
    void userNarrowsTheSameScope() {
        Target t = Target.scope("events:evt_123").user("u_1");
        assertThat(t.scopeKey()).isEqualTo("events:evt_123");
        assertThat(t.userId()).isEqualTo("u_1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nocolon", ":id", "kind:", "kind:with space", "kind:tab\there", "bad kind:id", "k/ind:id"})
    void aMalformedScopeKeyIsABadRequest(String key) {
        assertRefused(ErrorCode.BAD_REQUEST, () -> Target.scope(key));
    }

    @Test
    void scopeKeysMayCarryColonsAndPunctuationInTheirId() {
        assertThat(Target.scope("events:evt:123/ä").scopeKey()).isEqualTo("events:evt:123/ä");
    }

    @Test
    void organizationAndUserIdsAreOneTo256VisibleCharacters() {
        assertRefused(ErrorCode.BAD_REQUEST, () -> Target.organization(""));
        assertRefused(ErrorCode.BAD_REQUEST, () -> Target.organization(null));
        assertRefused(ErrorCode.BAD_REQUEST, () -> Target.organization("a b"));
        assertRefused(ErrorCode.BAD_REQUEST, () -> Target.organization("x".repeat(257)));
        assertRefused(ErrorCode.BAD_REQUEST, () -> Target.organization("org_1").user("u 1"));
        assertThat(Target.organization("x".repeat(256)).scopeKey()).hasSize(260);
    }
}
