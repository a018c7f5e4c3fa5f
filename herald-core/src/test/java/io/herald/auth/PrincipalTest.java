package io.herald.auth;

import static io.herald.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrincipalTest {
    private static Principal principal(Map<String, List<String>> orgs, String defaultOrg) {
        return new Principal("u_1", orgs, defaultOrg, null, null);
    }

    private final Principal twoOrgs = principal(Map.of("org_1", List.of("owner"), "org_2", List.of("recruiter")), null);

    @Test
    void aRequestedOrgTheUserBelongsToIsActive() {
        assertThat(twoOrgs.activeOrg("org_2")).isEqualTo("org_2");
        assertThat(twoOrgs.activeOrg("org_1")).isEqualTo("org_1");
    }

    @Test
    void aRequestedOrgTheUserDoesNotBelongToIsForbidden() {
        assertRefused(ErrorCode.ORGANIZATION_FORBIDDEN, () -> twoOrgs.activeOrg("org_3"));
        assertRefused(ErrorCode.ORGANIZATION_FORBIDDEN, () -> principal(Map.of(), null).activeOrg("org_1"));
    }

    @Test
    void aRequestedOrgOverridesTheDefaultOrg() {
        Principal p = principal(Map.of("org_1", List.of("owner"), "org_2", List.of("viewer")), "org_1");
        assertThat(p.activeOrg("org_2")).isEqualTo("org_2");
    }

    @Test
    void aUserInNoOrgHasNoOrganization() {
        assertRefused(ErrorCode.NO_ORGANIZATION, () -> principal(Map.of(), null).activeOrg(null));
    }

    @Test
    void theCredentialsDefaultOrgIsActiveWhenNoneIsRequested() {
        Principal p = principal(Map.of("org_1", List.of("owner"), "org_2", List.of("viewer")), "org_2");
        assertThat(p.activeOrg(null)).isEqualTo("org_2");
    }

    @Test
    void theOnlyOrgIsActiveWhenNoneIsRequested() {
        assertThat(principal(Map.of("org_1", List.of("owner")), null).activeOrg(null)).isEqualTo("org_1");
    }

    @Test
    void severalOrgsAndNoneRequestedRequireAnOrganization() {
        assertRefused(ErrorCode.ORGANIZATION_REQUIRED, () -> twoOrgs.activeOrg(null));
        assertThat(ErrorCode.ORGANIZATION_REQUIRED.httpStatus()).isEqualTo(400);
    }

    @Test
    void rolesAreThoseOfTheNamedOrgAndNoneElsewhere() {
        assertThat(twoOrgs.rolesIn("org_1")).containsExactly("owner");
        assertThat(twoOrgs.rolesIn("org_3")).isEmpty();
        assertThat(twoOrgs.isMemberOf(null)).isFalse();
        assertThat(twoOrgs.isMemberOf("org_2")).isTrue();
    }

    @Test
    void aUserIdIsRequiredAndOptionalPartsDefaultToEmpty() {
        assertThatThrownBy(() -> new Principal("", Map.of(), null, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Principal(null, Map.of(), null, null, null)).isInstanceOf(IllegalArgumentException.class);
        Principal bare = new Principal("u_1", null, null, null, null);
        assertThat(bare.orgs()).isEmpty();
        assertThat(bare.claims()).isEmpty();
        assertThat(bare.displayName()).isEmpty();
    }

    @Test
    void orgsAreCopiedSoLaterChangesDoNotLeakIn() {
        var orgs = new java.util.HashMap<String, List<String>>(Map.of("org_1", List.of("owner")));
        Principal p = principal(orgs, null);
        orgs.put("org_2", List.of("owner"));
        assertThat(p.isMemberOf("org_2")).isFalse();
    }
}
