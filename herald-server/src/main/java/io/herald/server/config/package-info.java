/**
 * Loading the configuration: YAML file, {@code ${ENV}} substitution, {@code HERALD_*} overrides,
 * secrets from the environment, and zero-config dev defaults. Entry type: {@link io.herald.server.config.ConfigLoader}.
 * Also the configuration reference, walked from the records' {@code @Doc} annotations by {@link ConfigKeys}:
 * {@code docs/configuration.md} ({@link ConfigMarkdown}), {@code docs/herald.schema.json} ({@link ConfigSchema}) and
 * {@code herald default-config} ({@link DefaultConfig}).
 */
package io.herald.server.config;
