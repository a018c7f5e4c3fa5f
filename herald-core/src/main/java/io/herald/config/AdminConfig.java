package io.herald.config;

/**
 * The operator's admin page at {@code /admin/} and its API under {@code /admin/v1/}, guarded by the server
 * credential. Off unless enabled: {@code herald serve} turns it on by default only in dev mode (no secrets
 * given), and code that builds its configuration turns it on explicitly.
 *
 * @param enabled whether {@code /admin/} and {@code /admin/v1/*} are served; when off they answer 404 like any unknown route
 */
public record AdminConfig(
        @Doc(value = "Whether /admin/ and /admin/v1/* are served; when off they answer 404 like any unknown route.",
                computedDefault = "true in dev mode (a secret was generated), else false", example = "true")
        Boolean enabled) {

    public AdminConfig {
        enabled = enabled != null && enabled;
    }

    public static AdminConfig defaults() {
        return new AdminConfig(null);
    }

    public static AdminConfig on() {
        return new AdminConfig(true);
    }
}
